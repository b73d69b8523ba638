"""``make key ROLE=ivr NAME=ivr-prod``: create an API key straight in the table
(with your AWS credentials, or in the emulator of a running ``make run``)."""
from __future__ import annotations

import argparse
import json
import sys

from chalicelib.core.roles import ROLES
from devtools.local import answering_in_words, use_running_emulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="create a CIM API key (shown once)")
    parser.add_argument("--role", required=True, choices=ROLES)
    parser.add_argument("--name", required=True)
    parser.add_argument("--expires-at", default=None, help="ISO-8601; none: never")
    args = parser.parse_args(argv)
    use_running_emulator()

    from chalicelib.models.apikey import KeyRequest
    from chalicelib.services.access import apikeys

    def create() -> int:
        made = apikeys.create(KeyRequest(name=args.name, role=args.role, expires_at=args.expires_at))
        print(json.dumps(made.model_dump(), indent=2))
        print(f"Keep the key now; it is not shown again: {made.key}", file=sys.stderr)
        return 0

    return answering_in_words("key", create, attempts=1)


if __name__ == "__main__":
    sys.exit(main())
