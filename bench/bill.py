"""The bill: what a million of each hot operation costs on AWS at on-demand
prices, from what ``make bench`` measured (its ``bench/results/latest.json``):
the DynamoDB read units of each operation, and its in-process time as the
Lambda's duration (on arm64 at the stage's memory). Write units of a
``TransactWriteItems`` are not reported by the emulator: they are counted
here from the items the operation writes (a transactional write costs 2
units per KB of each item; an index projecting the whole item, one more
per KB), stated beside the row.

    python -m bench.bill [--memory-mb 512] [results.json]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

# us-east-1, on-demand, December 2026 (the AWS price pages).
DYNAMODB_PER_MILLION_READS = 0.125  # USD per million read request units
DYNAMODB_PER_MILLION_WRITES = 0.625  # USD per million write request units
LAMBDA_ARM_PER_GB_SECOND = 0.0000133334
LAMBDA_PER_MILLION_REQUESTS = 0.20
API_GATEWAY_REST_PER_MILLION = 3.50  # the first 333 million a month
LAMBDA_MIN_MS = 1.0  # billed by the millisecond

# Write units each operation makes, where the emulator reports none, with how they come about.
WRITES = {
    "leg save": (11.0, "tree (3 KB) 6 + its day's index copy 3 + its history entry, rewritten with the "
                       "call's line, 2"),
    "contact create": (36.0, "contact (1.5 KB) 4 + 11 index entries 22 (its name's 2 words, their 2 pairs and "
                     "2 beginnings each carry the contact, under 1 KB) + audit 2 + 2 holder markers 4 + the "
                     "contact list's index copy 2 + its last-change entry 2"),
}
# Operations billed, the bench rows they come from, and whether API Gateway carries them.
BILLED = (
    ("IVR lookup, flat (one Query)", "flat IVR lookup", True),
    ("IVR lookup, JSON", "lookup by ANI", True),
    ("Connect flow lookup (Lambda only)", "Connect flow lookup", False),
    ("leg save", "leg save", True),
    ("name search", "name search", True),
    ("contact create", "contact create", True),
)


def cost_per_million(read_units: float, write_units: float, ms: float, memory_mb: int, gateway: bool) -> dict:
    dynamodb = read_units * DYNAMODB_PER_MILLION_READS + write_units * DYNAMODB_PER_MILLION_WRITES
    lambda_ = (max(ms, LAMBDA_MIN_MS) / 1000 * memory_mb / 1024 * LAMBDA_ARM_PER_GB_SECOND * 1_000_000
               + LAMBDA_PER_MILLION_REQUESTS)
    gateway_cost = API_GATEWAY_REST_PER_MILLION if gateway else 0.0
    return {"dynamodb": dynamodb, "lambda": lambda_, "api_gateway": gateway_cost,
            "total": dynamodb + lambda_ + gateway_cost}


def bill(report: dict, memory_mb: int) -> list[dict]:
    rows = {}
    for row in report["operations"]:
        if row.get("where") == "in-process" and "read_units" in row:
            rows[row["operation"]] = row  # the largest tier's row comes last
    billed = []
    for label, name, gateway in BILLED:
        row = rows.get(name)
        if row is None:
            continue
        writes, why = WRITES.get(name, (row.get("write_units") or 0.0, "measured"))
        billed.append({"operation": label, "contacts": row["contacts"], "read_units": row["read_units"],
                       "write_units": writes, "writes_from": why, "ms": row["p50_ms"]}
                      | cost_per_million(row["read_units"], writes, row["p50_ms"], memory_mb, gateway))
    return billed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="?", default=str(Path(__file__).parent / "results" / "latest.json"))
    parser.add_argument("--memory-mb", type=int, default=512, help="the Lambda's memory (dev 512, prod 1024)")
    args = parser.parse_args(argv)
    report = json.loads(Path(args.results).read_text())
    print(f"USD per million, on-demand (us-east-1), Lambda arm64 at {args.memory_mb} MB; from {args.results}")
    print(f"{'operation':36} {'RCU':>5} {'WCU':>5} {'ms':>6} {'DynamoDB':>9} {'Lambda':>7} {'API GW':>7} {'total':>7}")
    for r in bill(report, args.memory_mb):
        print(f"{r['operation']:36} {r['read_units']:5.1f} {r['write_units']:5.1f} {r['ms']:6.1f} "
              f"{r['dynamodb']:9.2f} {r['lambda']:7.2f} {r['api_gateway']:7.2f} {r['total']:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
