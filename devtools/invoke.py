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
    wrong = envelope_problem(args.function, event)
    if wrong:
        print(f"invoke: {wrong}", file=sys.stderr)
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
    try:
        with Client(app, stage_name="local") as client:
            answer = client.lambda_.invoke(args.function, event).payload
    except Exception as error:  # noqa: BLE001 - the tool ends in words; Lambda would report the same failure
        print(f"invoke: {args.function} failed ({type(error).__name__}: {str(error)[:200]})", file=sys.stderr)
        return 1
    print(json.dumps(answer, indent=2, ensure_ascii=False))
    return 0


# What the two triggered functions are given by AWS, which Chalice reads before our code does.
EVENTBRIDGE_KEYS = ("version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail")


def envelope_problem(function: str, event: object) -> str | None:
    """Why ``event`` is not what AWS would hand ``function``, or None."""
    if function == "connect_events":
        if not isinstance(event, dict) or any(k not in event for k in EVENTBRIDGE_KEYS):
            return ("connect_events takes an EventBridge event (keys " + ", ".join(EVENTBRIDGE_KEYS) + "); "
                    "this file is not one (a sample: events/connect/contact-event-connected.json)")
    if function == "connect_records":
        records = event.get("Records") if isinstance(event, dict) else None
        if not isinstance(records, list) or not all(isinstance(r, dict) and isinstance(r.get("kinesis"), dict)
                                                    for r in records):
            return ("connect_records takes a Kinesis event ({\"Records\": [{\"kinesis\": {\"data\": <base64 of "
                    "a contact record>, ...}}]}); this file is not one (a sample: events/connect/kinesis-records.json)")
    if function in ("connect_lookup", "connect_save") and not isinstance(event, dict):
        return f"{function} takes a contact flow event (a JSON object; a sample: events/connect/flow-lookup.json)"
    return None


if __name__ == "__main__":
    sys.exit(main())
