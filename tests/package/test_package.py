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

pytestmark = pytest.mark.takes(85)

ROOT = Path(__file__).resolve().parents[2]
# Budget for the zip: cold start grows with what Lambda unpacks and imports.
# phonenumberslite instead of phonenumbers saves ~40 MB of geocoder/carrier
# data. Today's zip is ~16.5 MB with its bytecode: cryptography (4.9 MB, for
# the desk's single sign-on: joserfc verifies ID tokens with it) is imported
# on a sign-in only. 20 MB leaves room without letting a heavy dependency
# slip in unnoticed (Lambda's own limit is 50 MB).
MAX_ZIP_BYTES = 20 * 1024 * 1024


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
        if key == "StreamSpecification":  # CloudFormation's spelling: a view type means the stream is on
            value = {"StreamViewType": value["StreamViewType"]}
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
    # Retention: attachment files go a week after their links expire; access-request documents after a day.
    rules = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    assert rules["expired-attachments"]["ExpirationInDays"] == 30 + 7
    assert rules["access-request-documents"] == {"Id": "access-request-documents", "Status": "Enabled",
                                                 "Prefix": "privacy/access/", "ExpirationInDays": 1}
    terraform = json.loads((built / "terraform" / "resources.tf.json").read_text())["resource"]
    tf_rules = {r["id"]: r for r in terraform["aws_s3_bucket_lifecycle_configuration"]["attachments"]["rule"]}
    assert tf_rules["access-request-documents"]["expiration"] == {"days": 1}


def test_the_zip_carries_pydantic_core_for_the_runtime_and_stays_small(built):
    sam = json.loads((built / "sam" / "sam.json").read_text())
    runtime = sam["Resources"]["APIHandler"]["Properties"]["Runtime"]
    tag = "cpython-" + runtime.removeprefix("python").replace(".", "")
    archive = built / "sam" / "deployment.zip"
    names = zipfile.ZipFile(archive).namelist()
    # Built for Graviton (arm64): cheaper per millisecond than x86_64, and as fast for this work.
    assert sam["Resources"]["APIHandler"]["Properties"]["Architectures"] == ["arm64"]
    assert any(n.startswith("pydantic_core/_pydantic_core.") and tag in n and "aarch64-linux" in n
               for n in names), tag
    assert "chalicelib/store/entities/contacts.py" in names and "app.py" in names
    assert archive.stat().st_size < MAX_ZIP_BYTES
    print(f"deployment.zip: {archive.stat().st_size / 1e6:.1f} MB")


def test_the_zip_holds_the_runtime_code_and_no_development_code(built):
    names = set(zipfile.ZipFile(built / "sam" / "deployment.zip").namelist())
    runtime = {str(p.relative_to(ROOT)) for p in (ROOT / "chalicelib").rglob("*.py")} | {"app.py"}
    assert runtime <= names
    assert not any(n.startswith(("devtools/", "tests/", "bench/", "moto/", "boto3/", "botocore/")) for n in names)


def test_the_zip_carries_bytecode_so_a_cold_start_compiles_nothing(built, tmp_path):
    """Lambda's code folder is read-only: without the package's bytecode,
    every cold start compiles the app and its dependencies again."""
    sam = json.loads((built / "sam" / "sam.json").read_text())
    tag = "cpython-" + sam["Resources"]["APIHandler"]["Properties"]["Runtime"].removeprefix("python").replace(".", "")
    for archive in (built / "sam" / "deployment.zip", built / "terraform" / "deployment.zip"):
        names = set(zipfile.ZipFile(archive).namelist())
        sources = [n for n in names if n.endswith(".py")]
        missing = [n for n in sources
                   if f"{n.rpartition('/')[0]}/__pycache__/{n.rpartition('/')[2][:-3]}.{tag}.pyc".lstrip("/") not in names]
        assert sources and not missing, missing[:5]
        header = zipfile.ZipFile(archive).read(f"__pycache__/app.{tag}.pyc")[4:8]
        assert int.from_bytes(header, "little") == 1  # hash-based and never checked: zip times are not the files'
    # The zip's own modules and bytecode; its arm64 extensions come from this machine's environment.
    package.unpack_here(built / "sam" / "deployment.zip", tmp_path)
    loaded = subprocess.run([sys.executable, "-c", "import app, chalicelib.models.common as m; print(m.__cached__)"],
                            cwd=tmp_path, capture_output=True, text=True, env={"PYTHONDONTWRITEBYTECODE": "1",
                                                                              "PATH": "/usr/bin:/bin"})
    assert loaded.returncode == 0, loaded.stderr
    assert Path(loaded.stdout.strip()).exists()
    # In Lambda the tracer starts from the zip's X-Ray SDK over the runtime's botocore (here, this environment's).
    traced = subprocess.run([sys.executable, "-c", "import app, botocore, aws_xray_sdk; from chalicelib.core import "
                             "tracing; print(tracing.start(), aws_xray_sdk.__file__, botocore.__file__)"],
                            cwd=tmp_path, capture_output=True, text=True,
                            env={"PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin", "LAMBDA_TASK_ROOT": str(tmp_path),
                                 "AWS_LAMBDA_FUNCTION_NAME": "cim-dev-api", "AWS_DEFAULT_REGION": "us-east-1"})
    assert traced.returncode == 0, traced.stderr
    started, sdk, botocore = traced.stdout.split()
    assert started == "True" and sdk.startswith(str(tmp_path)) and not botocore.startswith(str(tmp_path))


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_policy_files_are_least_privilege_and_current(stage):
    written = json.loads((ROOT / ".chalice" / f"policy-{stage}.json").read_text())
    assert written == package.policy(stage), "run: python -m devtools.package --write-policy --stage " + stage
    actions = {a for s in written["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert not any(a.endswith("*") or a in ("dynamodb:Scan", "dynamodb:DeleteTable") for a in actions)
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    assert config["autogen_policy"] is False and config["stages"][stage]["iam_policy_file"] == f"policy-{stage}.json"


INSTANCE = "arn:aws:connect:us-east-1:123456789012:instance/9308c2a1-9bc6-4cea-8290-6c0b4a6d38fa"
STREAM = "arn:aws:kinesis:us-east-1:123456789012:stream/connect-contact-records"


@pytest.fixture(scope="module")
def chalice_output(built, tmp_path_factory):
    """What `chalice package` writes before `make package` wires Connect in."""
    out = tmp_path_factory.mktemp("chalice")
    package.chalice("dev", out / "sam")
    package.chalice("dev", out / "terraform", "--pkg-format", "terraform")
    return out


def test_connect_may_invoke_the_flow_functions_and_the_records_come_from_the_stages_stream(chalice_output, tmp_path):
    sam = package.wire_connect_sam(json.loads((chalice_output / "sam" / "sam.json").read_text()), INSTANCE, STREAM)
    resources = sam["Resources"]
    for function in ("ConnectLookup", "ConnectSave"):
        permission = resources[f"{function}ConnectPermission"]["Properties"]
        assert permission["Principal"] == "connect.amazonaws.com" and permission["SourceArn"] == INSTANCE
        assert permission["FunctionName"] == {"Ref": function}
    source = resources["ConnectRecords"]["Properties"]["Events"]["ConnectRecordsKinesisEventSource"]["Properties"]
    assert source["Stream"] == STREAM and source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # A record that keeps failing is split off, retried, then kept (not lost, not blocking the shard).
    assert source["BisectBatchOnFunctionError"] is True
    assert source["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["FailedInvocations", "Arn"]}
    rule = resources["ConnectEvents"]["Properties"]["Events"]["ConnectEventsEvent"]["Properties"]["Pattern"]
    assert rule == {"source": ["aws.connect"], "detail-type": ["Amazon Connect Contact Event"]}
    wired = tmp_path / "sam.json"
    wired.write_text(json.dumps(sam))
    done = subprocess.run([str(Path(sys.executable).with_name("cfn-lint")), str(wired)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr

    terraform = package.wire_connect_terraform(
        json.loads((chalice_output / "terraform" / "chalice.tf.json").read_text()), INSTANCE, STREAM)["resource"]
    mapping = next(v for k, v in terraform["aws_lambda_event_source_mapping"].items() if k.startswith("connect_"))
    assert mapping["event_source_arn"] == STREAM and mapping["function_response_types"] == ["ReportBatchItemFailures"]
    assert mapping["destination_config"]["on_failure"]["destination_arn"] == "${aws_sqs_queue.failed_invocations.arn}"
    assert terraform["aws_lambda_permission"]["connect_lookup_connect"]["source_arn"] == INSTANCE


def test_a_stage_without_connect_settings_deploys_no_stream_trigger(built):
    sam = json.loads((built / "sam" / "sam.json").read_text())
    assert "ConnectRecordsKinesisEventSource" not in sam["Resources"]["ConnectRecords"]["Properties"].get("Events", {})
    assert not any(k.endswith("ConnectPermission") for k in sam["Resources"])


def test_the_policy_grants_the_contact_record_stream_only_when_configured(monkeypatch):
    settings = package.stage_settings("dev") | {"CIM_CONNECT_RECORDS_STREAM_ARN": STREAM}
    monkeypatch.setattr(package, "stage_settings", lambda stage: settings)
    statement = next(s for s in package.policy("dev")["Statement"] if s["Sid"] == "ContactRecords")
    assert statement["Resource"] == STREAM and "kinesis:GetRecords" in statement["Action"]


def test_packaging_needs_no_aws_configuration_and_says_what_is_missing():
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("AWS_")}
    deployed = subprocess.run([sys.executable, "-m", "devtools.package", "--stage", "dev"], cwd=ROOT, env=env,
                              capture_output=True, text=True)
    assert deployed.returncode == 0, deployed.stderr  # the region comes from the stage's entry
    regionless = subprocess.run([sys.executable, "-m", "devtools.package", "--stage", "local"], cwd=ROOT, env=env,
                                capture_output=True, text=True)
    assert regionless.returncode != 0 and "Traceback" not in regionless.stderr
    assert "region" in regionless.stderr and "local" in regionless.stderr


@pytest.mark.parametrize("env, needed", [
    ({"CIM_ADMIN_KEY_PARAMETER": "/cim/x/admin"}, "CIM_SIGNING_KEY_PARAMETER"),
    ({"CIM_SIGNING_KEY_PARAMETER": "/cim/x/signing"}, "CIM_ADMIN_KEY_PARAMETER"),
    ({"CIM_SIGNING_KEY_PARAMETER": "/s", "CIM_ADMIN_KEY_PARAMETER": "/a", "CIM_SIGNING_SECRET": "x" * 40},
     "CIM_SIGNING_SECRET"),
])
def test_a_stage_without_a_secret_source_does_not_build(monkeypatch, env, needed):
    monkeypatch.setattr(package, "stage_settings", lambda stage: env)
    with pytest.raises(SystemExit) as refused:
        package.check_secrets("prod")
    assert needed in str(refused.value)


def test_the_deployed_stages_name_their_secret_sources():
    for stage in ("dev", "prod"):
        package.check_secrets(stage)  # raises if not


def test_api_gateways_own_answers_speak_the_services_error_format(built):
    sam = json.loads((built / "sam" / "sam.json").read_text())["Resources"]
    kinds = {r["Properties"]["ResponseType"]: r["Properties"] for r in sam.values()
             if r["Type"] == "AWS::ApiGateway::GatewayResponse"}
    assert set(kinds) >= {"UNAUTHORIZED", "ACCESS_DENIED", "MISSING_AUTHENTICATION_TOKEN", "THROTTLED",
                          "REQUEST_TOO_LARGE", "DEFAULT_4XX", "DEFAULT_5XX"}
    unauthorized = kinds["UNAUTHORIZED"]
    assert unauthorized["RestApiId"] == {"Ref": "RestAPI"} and "RestAPI" in sam and unauthorized["StatusCode"] == "401"
    body = json.loads(unauthorized["ResponseTemplates"]["application/json"])  # a literal message: real JSON
    assert body["Code"] == "Unauthorized" and "Bearer" in body["Message"]
    assert kinds["THROTTLED"]["ResponseTemplates"]["application/json"].startswith('{"Code": "TooManyRequests"')
    terraform = json.loads((built / "terraform" / "resources.tf.json").read_text())["resource"]
    responses = terraform["aws_api_gateway_gateway_response"]
    assert responses["unauthorized"]["rest_api_id"] == "${aws_api_gateway_rest_api.rest_api.id}"
    chalice = json.loads((built / "terraform" / "chalice.tf.json").read_text())["resource"]
    assert "rest_api" in chalice["aws_api_gateway_rest_api"]


def test_the_stream_function_reads_the_tables_own_stream_and_dead_letters_what_it_cannot(built):
    """docs/events.md: the table's stream, split-on-error, bounded retries, an
    SQS on-failure destination with an alarm, the bus every function knows."""
    sam = json.loads((built / "sam" / "sam.json").read_text())["Resources"]
    table = sam["CimTable"]["Properties"]
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    source = sam["TableChanges"]["Properties"]["Events"]["TableChangesDynamodbEventSource"]["Properties"]
    assert source["Stream"] == {"Fn::GetAtt": ["CimTable", "StreamArn"]} and source["BisectBatchOnFunctionError"]
    assert source["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["EventDeadLetters", "Arn"]}
    assert source["MaximumRetryAttempts"] == package.STREAM_RETRIES
    alarm = sam["EventDeadLettersAlarm"]["Properties"]
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible" and alarm["Threshold"] == 0
    webhooks = sam["WebhookDeadLettersAlarm"]["Properties"]
    assert (webhooks["Namespace"], webhooks["MetricName"], webhooks["Dimensions"]) == (
        "CIM", "WebhookDeadLetters", [{"Name": "service", "Value": "cim"}])  # as chalicelib/core/metrics.py counts
    functions = [r for r in sam.values() if r["Type"] == "AWS::Serverless::Function"]
    assert all(f["Properties"]["Environment"]["Variables"]["CIM_EVENT_BUS"] == {"Ref": "EventBus"} for f in functions)
    assert sam["TableChanges"]["Properties"]["Timeout"] == 300  # ten 10-second deliveries fit in one batch's time
    retries = sam["WebhookRetries"]["Properties"]
    assert retries["Events"]["WebhookRetriesSqsEventSource"]["Properties"]["Queue"] == {
        "Fn::GetAtt": ["WebhookRetryQueue", "Arn"]}
    # The queue's visibility outlasts the function's timeout, as Lambda requires of an SQS source.
    assert sam["WebhookRetryQueue"]["Properties"]["VisibilityTimeout"] > retries["Timeout"]
    assert all(f["Properties"]["Environment"]["Variables"]["CIM_WEBHOOK_RETRY_QUEUE"] == {"Ref": "WebhookRetryQueue"}
               for f in functions)

    chalice_tf = json.loads((built / "terraform" / "chalice.tf.json").read_text())["resource"]
    ours = json.loads((built / "terraform" / "resources.tf.json").read_text())["resource"]
    mapping = chalice_tf["aws_lambda_event_source_mapping"]["table_changes-dynamodb-event-source"]
    assert mapping["event_source_arn"] == "${aws_dynamodb_table.cim.stream_arn}"
    assert mapping["destination_config"]["on_failure"]["destination_arn"] == "${aws_sqs_queue.event_dead_letters.arn}"
    assert ours["aws_dynamodb_table"]["cim"]["stream_enabled"] is True
    assert chalice_tf["aws_lambda_event_source_mapping"]["webhook_retries-sqs-event-source"]["event_source_arn"] == (
        "${aws_sqs_queue.webhook_retries.arn}")
    assert {"aws_cloudwatch_event_bus", "aws_sqs_queue", "aws_cloudwatch_metric_alarm"} <= set(ours)
    assert ours["aws_cloudwatch_metric_alarm"]["webhook_dead_letters"]["metric_name"] == "WebhookDeadLetters"
    statements = {s["Sid"]: s for s in package.policy("dev")["Statement"]}
    assert statements["TableStream"]["Resource"].endswith("table/cim-dev/stream/*")
    assert statements["OutboundEvents"]["Action"] == ["events:PutEvents"]


def test_a_stage_may_not_send_webhooks_to_loopback(monkeypatch):
    real = package.stage_settings
    monkeypatch.setattr(package, "stage_settings", lambda stage: real(stage) | {"CIM_WEBHOOK_ALLOW_LOOPBACK": "1"})
    with pytest.raises(SystemExit, match="CIM_WEBHOOK_ALLOW_LOOPBACK"):
        package.check_secrets("prod")


def test_the_templates_carry_what_an_operations_review_asks_for(built):
    """Alarms (5xx, the lookup's p99, every function's errors and throttles,
    DynamoDB throttles, dead letters, the sync's lag), a dashboard, API
    throttling, traces, log retention, a versioned TLS-only bucket; the same
    in Terraform, for current Terraform and AWS provider 5."""
    resources = json.loads((built / "sam" / "sam.json").read_text())["Resources"]
    functions = [k for k, r in resources.items() if r["Type"] == "AWS::Serverless::Function"]
    alarms = {k: r["Properties"] for k, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"}
    for wanted in ("ApiServerErrorsAlarm", "LookupLatencyAlarm", "TableThrottlesAlarm", "SyncLagAlarm",
                   "EventDeadLettersAlarm", "WebhookDeadLettersAlarm"):
        assert wanted in alarms, wanted
    assert alarms["LookupLatencyAlarm"]["ExtendedStatistic"] == "p99"
    assert alarms["LookupLatencyAlarm"]["MetricName"] == "LookupLatency"  # what core/metrics.py sends
    assert alarms["LookupLatencyAlarm"]["Dimensions"] == [{"Name": "service", "Value": "cim"}]
    for function in functions:
        assert f"{function}ErrorsAlarm" in alarms and f"{function}ThrottlesAlarm" in alarms
        assert resources[function]["Properties"]["Tracing"] == "Active"
        assert resources[f"{function}Logs"]["Properties"]["RetentionInDays"] == 30
    # Every asynchronous trigger has somewhere to fail to, and an alarm on it.
    for function in ("ResumeSchemaJobs", "ResumeErasures", "RciSync", "DeliverWebhooks", "ConnectEvents"):
        failed = resources[function]["Properties"]["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
        assert failed["Destination"] == {"Fn::GetAtt": ["FailedInvocations", "Arn"]}
    assert resources["WebhookRetryQueue"]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["FailedInvocations", "Arn"]}
    assert "FailedInvocationsAlarm" in alarms
    assert "OperationsDashboard" in resources
    json.loads(resources["OperationsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"])
    settings = resources["RestAPI"]["Properties"]["MethodSettings"][0]
    assert settings["ThrottlingRateLimit"] > 0 and settings["ThrottlingBurstLimit"] >= settings["ThrottlingRateLimit"]
    bucket = resources["AttachmentBucket"]["Properties"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    # Bucket names are global: unless the stage gives one, the account and region make it unique,
    # and every function is told the name as made.
    assert bucket["BucketName"] == {"Fn::Sub": "cim-dev-attachments-${AWS::AccountId}-${AWS::Region}"}
    assert all(resources[f]["Properties"]["Environment"]["Variables"]["CIM_BUCKET_NAME"] == {"Ref": "AttachmentBucket"}
               for f in functions)
    # Traces need the role's permission (Chalice makes the roles, SAM adds nothing to them).
    traces = [st for st in package.policy("dev")["Statement"] if st["Sid"] == "Traces"]
    assert traces and set(traces[0]["Action"]) == {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
    denied = resources["AttachmentBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert denied["Effect"] == "Deny" and denied["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}

    chalice_tf = json.loads((built / "terraform" / "chalice.tf.json").read_text())
    assert chalice_tf["terraform"]["required_version"] == ">= 1.5"
    assert chalice_tf["terraform"]["required_providers"]["aws"]["version"].startswith(">= 5")
    tf = chalice_tf["resource"]
    assert set(tf["aws_cloudwatch_log_group"]) == set(tf["aws_lambda_function"])
    assert set(tf["aws_lambda_function_event_invoke_config"]) == {
        "resume-schema-jobs", "resume-erasures", "rci-sync", "deliver-webhooks", "connect_events"}
    assert {"api_server_errors", "lookup_latency", "table_throttles", "sync_lag"} <= set(tf["aws_cloudwatch_metric_alarm"])
    assert tf["aws_api_gateway_method_settings"]["all"]["settings"]["throttling_rate_limit"] > 0
    assert all(f["environment"]["variables"]["CIM_BUCKET_NAME"] == "${aws_s3_bucket.attachments.bucket}"
               for f in tf["aws_lambda_function"].values())
    ours = json.loads((built / "terraform" / "resources.tf.json").read_text())["resource"]
    assert ours["aws_s3_bucket"]["attachments"]["bucket"].startswith("cim-dev-attachments-${data.aws_caller_identity")
    assert ours["aws_s3_bucket_versioning"]["attachments"]["versioning_configuration"] == {"status": "Enabled"}
    assert all(f["environment"]["variables"]["CIM_BUCKET_NAME"] == "${aws_s3_bucket.attachments.bucket}"
               for f in tf["aws_lambda_function"].values())
    assert ours["aws_s3_bucket"]["attachments"]["bucket"].startswith("cim-dev-attachments-${data.aws_caller_identity")
    assert "aws:SecureTransport" in ours["aws_s3_bucket_policy"]["attachments"]["policy"]


def test_prod_keeps_daily_backups_and_reserves_concurrency_for_the_ivr():
    """``CIM_BACKUP_DAYS`` (prod: 35) adds an AWS Backup plan of the table;
    the IVR's doors (the API and Connect's lookup) have concurrency of their
    own in prod, so a burst of webhooks or syncs can never starve a caller."""
    resources = package.cloudformation("prod")["Resources"]
    rule = resources["BackupPlan"]["Properties"]["BackupPlan"]["BackupPlanRule"][0]
    assert rule["Lifecycle"] == {"DeleteAfterDays": 35} and rule["ScheduleExpression"].startswith("cron(")
    assert resources["BackupSelection"]["Properties"]["BackupSelection"]["Resources"] == [
        {"Fn::GetAtt": ["CimTable", "Arn"]}]
    assert resources["BackupVault"]["DeletionPolicy"] == "Retain"
    tf = package.terraform("prod")["resource"]
    assert tf["aws_backup_plan"]["daily"]["rule"][0]["lifecycle"] == {"delete_after": 35}
    assert tf["aws_backup_selection"]["table"]["resources"] == ["${aws_dynamodb_table.cim.arn}"]
    assert "BackupPlan" not in package.cloudformation("dev")["Resources"]  # dev: point-in-time recovery only

    functions = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"]["prod"]["lambda_functions"]
    assert functions["api_handler"]["reserved_concurrency"] >= 100
    assert functions["connect_lookup"]["reserved_concurrency"] >= 50


def test_checkov_fails_no_check_in_the_production_templates(built):
    """What `make review STAGE=prod` runs: checkov from its own environment
    over prod's SAM template and Terraform JSON, with only the rules
    `.checkov.yaml` skips and says why. Prod is dev and more (backups,
    reserved concurrency, deletion protection); `make review` scans dev too
    (a CloudFormation scan takes checkov about 25 s here)."""
    from devtools import review

    ready = subprocess.run(["make", "-s", "review-env"], cwd=ROOT, capture_output=True, text=True)
    assert ready.returncode == 0, ready.stdout[-2000:] + ready.stderr[-2000:]
    subprocess.run([sys.executable, "-m", "devtools.package", "--stage", "prod"], cwd=ROOT, check=True,
                   capture_output=True, env={**__import__("os").environ, "AWS_DEFAULT_REGION": "us-east-1"})
    status, said = review.review(ROOT / "build" / "prod")
    assert status == 0 and said.count("Failed checks: 0") == 2, said[-4000:]
    passed = [int(line.split("Passed checks: ")[1].split(",")[0]) for line in said.splitlines()
              if "Passed checks: " in line]
    assert len(passed) == 2 and min(passed) > 100, passed  # both templates were read and checked


def test_every_rule_the_template_review_skips_says_why():
    """``make review`` runs checkov with ``.checkov.yaml``: each skipped rule
    has its reason on its line or in the comment block above its group."""
    lines = [line.strip() for line in (ROOT / ".checkov.yaml").read_text().splitlines()]
    skips = [n for n, line in enumerate(lines) if line.startswith("- CKV")]
    assert len(skips) >= 10
    for n in skips:
        above = n - 1
        while lines[above].startswith("- CKV") and "#" not in lines[above]:
            above -= 1
        assert "#" in lines[n] or lines[above].startswith("#"), lines[n]
