"""``make review``: checkov over the two templates ``make package`` built,
the SAM template and the Terraform JSON, with ``.checkov.yaml`` (which says
why each skipped rule is skipped). Exit status 0 when no check fails.

checkov runs from its own environment (``.venv-review``, ``make
review-env``): its pins (boto3, packaging) would replace the project's.
Chalice's Terraform settings block is left out of the scan: checkov's JSON
parser cannot read it, and it holds only versions."""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKOV = ROOT / ".venv-review" / "bin" / "checkov"


def scans(build: Path) -> list[list[str]]:
    """The checkov command lines for one stage's build folder (``build/<stage>``)."""
    terraform = build / "review"
    shutil.rmtree(terraform, ignore_errors=True)
    terraform.mkdir(parents=True)
    chalice = json.loads((build / "terraform" / "chalice.tf.json").read_text())
    chalice.pop("terraform", None)
    (terraform / "chalice.tf.json").write_text(json.dumps(chalice))
    shutil.copy(build / "terraform" / "resources.tf.json", terraform)
    config = ["--config-file", str(ROOT / ".checkov.yaml"), "--compact", "--quiet"]
    return [[str(CHECKOV), *config, "-f", str(build / "sam" / "sam.json"), "--framework", "cloudformation"],
            [str(CHECKOV), *config, "-d", str(terraform), "--framework", "terraform_json"]]


def review(build: Path) -> tuple[int, str]:
    """Run both scans; (the worst exit status, what checkov printed)."""
    if not CHECKOV.exists():
        return 2, f"{CHECKOV} is missing: run `make review-env`"
    with ThreadPoolExecutor(max_workers=2) as pool:  # the two scans side by side
        done = list(pool.map(lambda command: subprocess.run(command, capture_output=True, text=True, cwd=ROOT),
                             scans(build)))
    return max(d.returncode for d in done), "\n".join(d.stdout + d.stderr for d in done)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="dev")
    args = parser.parse_args(argv)
    status, said = review(ROOT / "build" / args.stage)
    print(said)
    return status


if __name__ == "__main__":
    sys.exit(main())
