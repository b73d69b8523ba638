"""``make sync``: one pull from the contact center now, with this shell's
settings (``CIM_SINCH_*``, the table); prints the run's outcome."""
from __future__ import annotations

import json
import sys

from devtools.local import use_running_emulator


def main() -> int:
    use_running_emulator()
    from chalicelib.core.errors import DomainError
    from chalicelib.services.sync import rci_sync

    try:
        outcome = rci_sync.run()
    except DomainError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 1
    print(json.dumps(outcome.model_dump(mode="json"), indent=2))
    return 0 if not outcome.last_error else 2


if __name__ == "__main__":
    sys.exit(main())
