"""The ``cim`` console command: ``cim import``, ``cim export``, ``cim key``, ``cim sync``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from chalicelib.core.roles import ROLES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cim", description="CIM service console")
    commands = parser.add_subparsers(dest="command", required=True)
    imp = commands.add_parser("import", help="import contacts from a CSV file")
    imp.add_argument("file", type=Path)
    imp.add_argument("--map", action="append", default=[], metavar="COLUMN=KEY",
                     help="map a CSV column to a schema key (empty key: skip the column)")
    imp.add_argument("--maps", default="", metavar="'First Name=first_name Internal='",
                     help="several --map at once; a column name may hold spaces (make import MAP=...)")
    imp.add_argument("--workers", type=int, default=8, help="parallel writers (default 8)")
    imp.add_argument("--report", type=Path, help="rejected rows (default: FILE.rejected.csv)")
    imp.add_argument("--update", action="store_true",
                     help="a row naming a stored contact (its id) updates it; the others are created")
    imp.add_argument("--match-on", metavar="KEY",
                     help="with --update: find the contact by phone, email or this unique attribute")
    imp.add_argument("--if-duplicate", choices=("skip", "create"), default="skip",
                     help="a row sharing a number or address with a stored contact or an earlier row: "
                          "skip it (default) or create it anyway; reported either way")
    imp.add_argument("--dry-run", action="store_true",
                     help="write nothing: report what would be created, updated, rejected and flagged")
    imp.add_argument("--delimiter", help="',', ';' or 'tab' (default: read from the header)")
    imp.add_argument("--encoding", help="utf-8, cp1252, ... (default: UTF-8 if the file is, else Windows-1252)")
    exp = commands.add_parser("export", help="export every contact")
    exp.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    exp.add_argument("--out", type=Path, required=True)
    exp.add_argument("--excel", action="store_true",
                     help="CSV for Excel: a UTF-8 byte-order mark first, so accents open right on Windows")
    exp.add_argument("--include-pii", action="store_true",
                     help="write personal fields (names, phones, e-mail, pii attributes) instead of ***")
    key = commands.add_parser("key", help="create an API key")
    key.add_argument("--role", required=True, choices=ROLES)
    key.add_argument("--name", required=True)
    commands.add_parser("sync", help="pull from the contact center now")
    args = parser.parse_args(argv)

    from devtools import transfer
    from devtools.local import answering_in_words, use_running_emulator

    use_running_emulator()
    from chalicelib.core.actor import act_as_process

    act_as_process("cim-cli", f"cim {args.command}")  # who the audit trail names
    if args.command == "import":
        overrides = transfer.parse_maps(args.maps)
        for item in args.map:
            column, _, target = item.partition("=")
            overrides[column] = target
        if not args.file.exists():
            parser.error(f"{args.file}: no such file")

        def run_import() -> int:
            done = transfer.import_csv(args.file, overrides, workers=max(1, min(args.workers, 64)),
                                       report=args.report, delimiter=args.delimiter, encoding=args.encoding,
                                       update=args.update, match_on=args.match_on,
                                       if_duplicate=args.if_duplicate, dry_run=args.dry_run)
            print(done.summary(args.dry_run), file=sys.stderr)
            return 0

        return answering_in_words("import", run_import)
    if args.command == "export":
        def run_export() -> int:
            transfer.export(args.out, args.format, include_pii=args.include_pii, excel=args.excel)
            return 0

        return answering_in_words("export", run_export)
    if args.command == "key":
        from devtools import keys

        return keys.main(["--role", args.role, "--name", args.name])
    from devtools import sync

    return sync.main()


if __name__ == "__main__":
    sys.exit(main())
