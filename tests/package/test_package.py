"""The deployable package: what `make package` builds for SAM and Terraform."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from chalicelib.store.table import TTL_ATTRIBUTE, table_definition
from devtools import package

ROOT = Path(__file__).resolve().parents[2]
# Budget for the zip: cold start grows with what Lambda unpacks and imports.
# Today's zip is ~3.5 MB (phonenumberslite instead of phonenumbers saves
# ~40 MB of geocoder/carrier data); 15 MB leaves room without letting a
# heavy dependency slip in unnoticed (Lambda's own limit is 50 MB).
MAX_ZIP_BYTES = 15 * 1024 * 1024


@pytest.fixture(scope="module")
def built():
    subprocess.run([sys.executable, "-m", "devtools.package", "--stage", "dev"], cwd=ROOT, check=True,
                   capture_output=True, env={**__import__("os").environ, "AWS_DEFAULT_REGION": "us-east-1"})
    return ROOT / "build" / "dev"


def test_cfn_lint_passes_on_the_sam_template(built):
    done = subprocess.run([str(Path(sys.executable).with_name("cfn-lint")), str(built / "sam" / "sam.json")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_templates_table_is_the_one_the_code_uses(built):
    sam = json.loads((built / "sam" / "sam.json").read_text())
    table = sam["Resources"]["CimTable"]["Properties"]
    expected = table_definition("cim-dev")
    for key, value in expected.items():
        assert table[key] == value, key
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["TimeToLiveSpecification"] == {"AttributeName": TTL_ATTRIBUTE, "Enabled": True}
    assert table["DeletionProtectionEnabled"] is False
    assert package.cloudformation("prod")["Resources"]["CimTable"]["Properties"]["DeletionProtectionEnabled"]
    terraform = json.loads((built / "terraform" / "resources.tf.json").read_text())["resource"]
    tf_table = terraform["aws_dynamodb_table"]["cim"]
    assert tf_table["name"] == "cim-dev" and {a["name"] for a in tf_table["attribute"]} == {
        a["AttributeName"] for a in expected["AttributeDefinitions"]}
    assert (built / "terraform" / "chalice.tf.json").exists()


def test_the_bucket_is_private_encrypted_and_expires_old_files(built):
    bucket = json.loads((built / "sam" / "sam.json").read_text())["Resources"]["AttachmentBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert bucket["LifecycleConfiguration"]["Rules"][0]["Prefix"] == "attachments/"


def test_the_zip_carries_pydantic_core_for_the_runtime_and_stays_small(built):
    sam = json.loads((built / "sam" / "sam.json").read_text())
    runtime = sam["Resources"]["APIHandler"]["Properties"]["Runtime"]
    tag = "cpython-" + runtime.removeprefix("python").replace(".", "")
    archive = built / "sam" / "deployment.zip"
    names = zipfile.ZipFile(archive).namelist()
    assert any(n.startswith("pydantic_core/_pydantic_core.") and tag in n and "x86_64-linux" in n
               for n in names), tag
    assert "chalicelib/store/keys.py" in names and "app.py" in names
    assert archive.stat().st_size < MAX_ZIP_BYTES
    print(f"deployment.zip: {archive.stat().st_size / 1e6:.1f} MB")


def test_the_zip_holds_the_runtime_code_and_no_development_code(built):
    names = set(zipfile.ZipFile(built / "sam" / "deployment.zip").namelist())
    runtime = {str(p.relative_to(ROOT)) for p in (ROOT / "chalicelib").rglob("*.py")} | {"app.py"}
    assert runtime <= names
    assert not any(n.startswith(("devtools/", "tests/", "bench/", "moto/", "boto3/", "botocore/")) for n in names)


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_policy_files_are_least_privilege_and_current(stage):
    written = json.loads((ROOT / ".chalice" / f"policy-{stage}.json").read_text())
    assert written == package.policy(stage), "run: python -m devtools.package --write-policy --stage " + stage
    actions = {a for s in written["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert not any(a.endswith("*") or a in ("dynamodb:Scan", "dynamodb:DeleteTable") for a in actions)
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    assert config["autogen_policy"] is False and config["stages"][stage]["iam_policy_file"] == f"policy-{stage}.json"
