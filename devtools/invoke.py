"""``make invoke FN=<function> EVENT=<file.json>``: run one of the Lambda
functions (``connect_lookup``, ``connect_save``, ``connect_events``,
``connect_records``) on an event file, against the data of the ``make run``
on ``PORT``, as ``sam local invoke`` would: the function's answer, as JSON,
is all that goes to standard output (logs go to standard error)."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from devtools.local import port, running_server

FUNCTIONS = ("connect_lookup", "connect_save", "connect_events", "connect_records")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("function", choices=FUNCTIONS)
    parser.add_argument("event", type=Path, help="the event, as a JSON file (samples: events/connect/)")
    args = parser.parse_args(argv)
    try:
        event = json.loads(args.event.read_text())
    except (OSError, ValueError) as error:
        print(f"invoke: cannot read {args.event} as JSON: {error}", file=sys.stderr)
        return 2
    server = running_server()
    if server is None:
        print(f"invoke: no `make run` is running on port {port()}; start one with `make run` "
              "(or set PORT to the port of the one you started)", file=sys.stderr)
        return 3
    import os

    os.environ.update(server)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    logging.basicConfig(stream=sys.stderr, level=logging.INFO)

    from chalice.test import Client

    from app import app

    for handler in list(app.log.handlers):  # Chalice logs to standard output: keep that for the answer
        app.log.removeHandler(handler)
    with Client(app, stage_name="local") as client:
        answer = client.lambda_.invoke(args.function, event).payload
    print(json.dumps(answer, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
