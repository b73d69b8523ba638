"""``make package``: the deployable package for a stage, SAM and Terraform.

Writes, under ``build/<stage>/``:
- ``resources.json``: our own resources, made from the code's definitions
  (the table from ``chalicelib/store/table.py``, the attachment bucket),
  merged into Chalice's SAM template (``sam/sam.json``, ``sam/deployment.zip``);
- ``terraform/``: Chalice's ``chalice.tf.json`` and the zip, with our
  ``resources.tf.json`` beside them (Terraform reads every ``*.tf.json``).

The Lambda's IAM policy is ``.chalice/policy-<stage>.json``; ``policy(stage)``
is what it must say, and a test keeps the file equal to it.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from chalicelib.core.settings import Settings
from chalicelib.store.table import TTL_ATTRIBUTE, table_definition

ROOT = Path(__file__).resolve().parents[1]
PROTECTED_STAGES = {"prod"}  # deletion protection, retained on stack deletion
ATTACHMENT_PREFIX = "attachments/"
ACCESS_DOCUMENT_PREFIX = "privacy/access/"  # large access-request documents: their link lives an hour


def stage_settings(stage: str) -> dict[str, str]:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    env = dict(config.get("environment_variables", {}))
    env.update(config["stages"][stage].get("environment_variables", {}))
    return env


def check_secrets(stage: str) -> None:
    """A deployed stage reads its secrets from SSM Parameter Store: refuse to
    build one that would start without them, or with one in plain sight."""
    env = stage_settings(stage)
    missing = [f"CIM_{name}_PARAMETER" for name in ("SIGNING_KEY", "ADMIN_KEY") if not env.get(f"CIM_{name}_PARAMETER")]
    if missing:
        raise SystemExit(f"stage {stage!r} names no secret source: set {' and '.join(missing)} in its "
                         "environment_variables in .chalice/config.json (SSM SecureString parameters)")
    if Settings.from_env(env).webhook_allow_loopback:
        raise SystemExit(f"stage {stage!r} sets CIM_WEBHOOK_ALLOW_LOOPBACK: only `make run` may send webhooks "
                         "to plain http on loopback; a deployed stage sends to https only")
    plain = [name for name in ("CIM_SIGNING_SECRET", "CIM_ADMIN_KEY", "CIM_OIDC_CLIENT_SECRET") if env.get(name)]
    if plain:
        raise SystemExit(f"stage {stage!r} carries {', '.join(plain)} in its configuration: keep secrets in SSM "
                         "Parameter Store and name them with the *_PARAMETER settings instead")


def _names(stage: str) -> tuple[str, str, int, list[str], str | None]:
    settings = Settings.from_env(stage_settings(stage))
    return (settings.table_name, given_bucket(stage) or unique_bucket_prefix(stage) + "*", settings.attachment_days,
            list(settings.cors_origins), settings.admin_key_parameter)


def given_bucket(stage: str) -> str | None:
    """The attachment bucket's name, when the stage gives one (``CIM_BUCKET_NAME``)."""
    return stage_settings(stage).get("CIM_BUCKET_NAME")


def unique_bucket_prefix(stage: str) -> str:
    """Bucket names are global: unless the stage gives one, the template names
    the bucket this, followed by the account and the region."""
    return f"cim-{stage}-attachments-"


# API Gateway's own answers (the authorizer's 401, throttling, no such route,
# too large, its other 4xx/5xx) in the service's error format.
GATEWAY_RESPONSES = {
    "UNAUTHORIZED": ("401", "Unauthorized",
                     '"send a valid API key: Authorization: Bearer <key> (it may be unknown, expired or revoked)"'),
    "ACCESS_DENIED": ("403", "Forbidden", "$context.error.messageString"),
    "MISSING_AUTHENTICATION_TOKEN": ("404", "NotFound", '"no such route (or method) in this API"'),
    "THROTTLED": ("429", "TooManyRequests", "$context.error.messageString"),
    "REQUEST_TOO_LARGE": ("413", "PayloadTooLarge", "$context.error.messageString"),
    "DEFAULT_4XX": (None, "BadRequest", "$context.error.messageString"),
    "DEFAULT_5XX": (None, "ServiceUnavailable", "$context.error.messageString"),
}


def _error_template(code: str, message: str) -> str:
    return '{"Code": "' + code + '", "Message": ' + message + "}"  # message: a VTL expression or a JSON string


def gateway_responses_sam() -> dict[str, Any]:
    responses = {}
    for kind, (status, code, message) in GATEWAY_RESPONSES.items():
        properties: dict[str, Any] = {"RestApiId": {"Ref": "RestAPI"}, "ResponseType": kind,
                                      "ResponseTemplates": {"application/json": _error_template(code, message)},
                                      "ResponseParameters": {"gatewayresponse.header.Content-Type": "'application/json'"}}
        if status:
            properties["StatusCode"] = status
        name = "".join(part.capitalize() for part in kind.split("_"))
        responses[f"GatewayResponse{name}"] = {"Type": "AWS::ApiGateway::GatewayResponse", "Properties": properties}
    return responses


def gateway_responses_terraform() -> dict[str, Any]:
    responses = {}
    for kind, (status, code, message) in GATEWAY_RESPONSES.items():
        response: dict[str, Any] = {"rest_api_id": "${aws_api_gateway_rest_api.rest_api.id}", "response_type": kind,
                                    "response_templates": {"application/json": _error_template(code, message)},
                                    "response_parameters": {
                                        "gatewayresponse.header.Content-Type": "'application/json'"}}
        if status:
            response["status_code"] = status
        responses[kind.lower()] = response
    return responses


def cloudformation(stage: str) -> dict[str, Any]:
    table, bucket, days, origins, _ = _names(stage)
    protected = stage in PROTECTED_STAGES
    definition = table_definition(table)
    table_props = {
        **{k: v for k, v in definition.items()},
        "StreamSpecification": {"StreamViewType": definition["StreamSpecification"]["StreamViewType"]},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "TimeToLiveSpecification": {"AttributeName": TTL_ATTRIBUTE, "Enabled": True},
        "SSESpecification": {"SSEEnabled": True},
        "DeletionProtectionEnabled": protected,
    }
    bucket_props: dict[str, Any] = {
        "BucketName": given_bucket(stage) or {"Fn::Sub": unique_bucket_prefix(stage) + "${AWS::AccountId}-${AWS::Region}"},
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]},
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                           "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        # A link expires after `days`; the file goes a week later.
        "LifecycleConfiguration": {"Rules": [{"Id": "expired-attachments", "Status": "Enabled",
                                              "Prefix": ATTACHMENT_PREFIX, "ExpirationInDays": days + 7},
                                             {"Id": "access-request-documents", "Status": "Enabled",
                                              "Prefix": ACCESS_DOCUMENT_PREFIX, "ExpirationInDays": 1},
                                             {"Id": "unfinished-uploads", "Status": "Enabled",
                                              "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}},
                                             {"Id": "replaced-versions", "Status": "Enabled",
                                              "NoncurrentVersionExpiration": {"NoncurrentDays": 30}}]},
    }
    if origins:
        bucket_props["CorsConfiguration"] = {"CorsRules": [{
            "AllowedMethods": ["POST", "GET"], "AllowedOrigins": origins, "AllowedHeaders": ["*"], "MaxAge": 3600}]}
    policy = "Retain" if protected else "Delete"
    return {"Resources": gateway_responses_sam() | backup_sam(stage) | {
        "CimTable": {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": policy, "UpdateReplacePolicy": policy,
                     "Properties": table_props},
        "AttachmentBucket": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
                             "Properties": bucket_props},
    }}


def terraform(stage: str) -> dict[str, Any]:
    table, bucket, days, origins, _ = _names(stage)
    definition = table_definition(table)
    keys = {k["KeyType"]: k["AttributeName"] for k in definition["KeySchema"]}
    resources: dict[str, Any] = {
        "aws_dynamodb_table": {"cim": {
            "name": table, "billing_mode": "PAY_PER_REQUEST", "hash_key": keys["HASH"], "range_key": keys["RANGE"],
            "attribute": [{"name": a["AttributeName"], "type": a["AttributeType"]}
                          for a in definition["AttributeDefinitions"]],
            "global_secondary_index": [
                {"name": g["IndexName"], "hash_key": g["KeySchema"][0]["AttributeName"],
                 "range_key": g["KeySchema"][1]["AttributeName"], "projection_type": g["Projection"]["ProjectionType"]}
                for g in definition["GlobalSecondaryIndexes"]],
            "ttl": {"attribute_name": TTL_ATTRIBUTE, "enabled": True},
            "stream_enabled": True,
            "stream_view_type": definition["StreamSpecification"]["StreamViewType"],
            "point_in_time_recovery": {"enabled": True},
            "server_side_encryption": {"enabled": True},
            "deletion_protection_enabled": stage in PROTECTED_STAGES,
        }},
        "aws_s3_bucket": {"attachments": {"bucket": given_bucket(stage) or (
            unique_bucket_prefix(stage) + "${data.aws_caller_identity.chalice.account_id}-${data.aws_region.chalice.name}")}},
        "aws_s3_bucket_versioning": {"attachments": {
            "bucket": "${aws_s3_bucket.attachments.id}", "versioning_configuration": {"status": "Enabled"}}},
        "aws_s3_bucket_policy": {"attachments": {
            "bucket": "${aws_s3_bucket.attachments.id}",
            "policy": json.dumps(bucket_tls_only("${aws_s3_bucket.attachments.arn}"))}},
        "aws_s3_bucket_public_access_block": {"attachments": {
            "bucket": "${aws_s3_bucket.attachments.id}", "block_public_acls": True, "block_public_policy": True,
            "ignore_public_acls": True, "restrict_public_buckets": True}},
        "aws_s3_bucket_server_side_encryption_configuration": {"attachments": {
            "bucket": "${aws_s3_bucket.attachments.id}",
            "rule": [{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"},
                      "bucket_key_enabled": True}]}},
        "aws_s3_bucket_lifecycle_configuration": {"attachments": {
            "bucket": "${aws_s3_bucket.attachments.id}",
            "rule": [{"id": "expired-attachments", "status": "Enabled", "filter": {"prefix": ATTACHMENT_PREFIX},
                      "expiration": {"days": days + 7}},
                     {"id": "access-request-documents", "status": "Enabled",
                      "filter": {"prefix": ACCESS_DOCUMENT_PREFIX}, "expiration": {"days": 1}},
                     {"id": "unfinished-uploads", "status": "Enabled", "filter": {},
                      "abort_incomplete_multipart_upload": {"days_after_initiation": 1}},
                     {"id": "replaced-versions", "status": "Enabled", "filter": {},
                      "noncurrent_version_expiration": {"noncurrent_days": 30}}]}},
    }
    if origins:
        resources["aws_s3_bucket_cors_configuration"] = {"attachments": {
            "bucket": "${aws_s3_bucket.attachments.id}",
            "cors_rule": [{"allowed_methods": ["POST", "GET"], "allowed_origins": origins,
                           "allowed_headers": ["*"], "max_age_seconds": 3600}]}}
    resources["aws_api_gateway_gateway_response"] = gateway_responses_terraform()
    resources |= events_terraform(stage)
    resources |= backup_terraform(stage)
    return {"resource": resources}


def policy(stage: str) -> dict[str, Any]:
    """Least privilege: the table and its indexes, the attachment and
    access-document prefixes, the admin-key parameter, logs."""
    table, bucket, _, _, parameter = _names(stage)
    statements: list[dict[str, Any]] = [
        {"Sid": "Logs", "Effect": "Allow",
         "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": "arn:aws:logs:*:*:*"},
        {"Sid": "Table", "Effect": "Allow",
         "Action": ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem",
                    "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
                    "dynamodb:TransactWriteItems", "dynamodb:ConditionCheckItem"],
         "Resource": [f"arn:aws:dynamodb:*:*:table/{table}", f"arn:aws:dynamodb:*:*:table/{table}/index/*"]},
        {"Sid": "Attachments", "Effect": "Allow",
         "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
         "Resource": [f"arn:aws:s3:::{bucket}/{ATTACHMENT_PREFIX}*", f"arn:aws:s3:::{bucket}/{ACCESS_DOCUMENT_PREFIX}*"]},
        # Listing (an access request's finds) and the versions a delete takes with it, under those prefixes only.
        {"Sid": "AttachmentListing", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:ListBucketVersions"],
         "Resource": f"arn:aws:s3:::{bucket}",
         "Condition": {"StringLike": {"s3:prefix": [f"{ATTACHMENT_PREFIX}*", f"{ACCESS_DOCUMENT_PREFIX}*"]}}},
    ]
    secrets = [p for p in (parameter, stage_settings(stage).get("CIM_SIGNING_KEY_PARAMETER"),
                           stage_settings(stage).get("CIM_OIDC_CLIENT_SECRET_PARAMETER")) if p]
    if secrets:
        statements.append({"Sid": "Secrets", "Effect": "Allow", "Action": ["ssm:GetParameter"],
                           "Resource": [f"arn:aws:ssm:*:*:parameter{p}" for p in secrets]})
    statements += [
        {"Sid": "TableStream", "Effect": "Allow",
         "Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                    "dynamodb:ListStreams"],
         "Resource": f"arn:aws:dynamodb:*:*:table/{table}/stream/*"},
        {"Sid": "Traces", "Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
         "Resource": "*"},  # X-Ray takes no resource-level permissions
        {"Sid": "OutboundEvents", "Effect": "Allow", "Action": ["events:PutEvents"],
         "Resource": f"arn:aws:events:*:*:event-bus/{event_bus_name(stage)}"},
        {"Sid": "EventDeadLetters", "Effect": "Allow", "Action": ["sqs:SendMessage"],
         "Resource": [f"arn:aws:sqs:*:*:{dead_letter_queue_name(stage)}",
                      f"arn:aws:sqs:*:*:{failed_invocations_queue_name(stage)}"]},
        {"Sid": "WebhookRetries", "Effect": "Allow",
         "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
         "Resource": f"arn:aws:sqs:*:*:{retry_queue_name(stage)}"},
    ]
    _, stream = connect_settings(stage)
    if stream:  # connect_records reads the contact-record stream
        statements.append({"Sid": "ContactRecords", "Effect": "Allow",
                           "Action": ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
                                      "kinesis:GetShardIterator", "kinesis:ListShards"],
                           "Resource": stream})
    return {"Version": "2012-10-17", "Statement": statements}


RECORDS_FUNCTION, RECORDS_SOURCE = "ConnectRecords", "ConnectRecordsKinesisEventSource"
CHANGES_FUNCTION, CHANGES_SOURCE = "TableChanges", "TableChangesDynamodbEventSource"
# The stream function: a failing batch is split until the failing record is
# alone, retried, then handed to the dead-letter queue (an alarm watches it).
STREAM_RETRIES, STREAM_MAX_AGE_SECONDS = 10, 86400
# Counted by the service (chalicelib/core/metrics.py) when a delivery is dead-lettered.
WEBHOOK_DEAD_LETTER_METRIC = {"Namespace": "CIM", "MetricName": "WebhookDeadLetters"}


# --- operations: alarms, a dashboard, throttling, the bucket's rules -------------

# Per stage: API Gateway's steady rate and burst (requests a second) and how
# long logs are kept. A contact center's peak hour is a few hundred calls a
# second; the limits keep a runaway client from spending the account's Lambda
# concurrency.
THROTTLING = {"dev": (50, 100), "prod": (1000, 2000)}
LOOKUP_P99_MS = 300  # the IVR waits on it: over this for 5 minutes is an alarm
SYNC_LAG_SECONDS = 1800  # the contact center's records more than 30 minutes behind


def _alarm(description: str, namespace: str, metric: str, dimensions: dict[str, Any], statistic: str,
           threshold: float, periods: int = 1) -> dict[str, Any]:
    """One alarm, as both templates describe it (CloudFormation's property names)."""
    stat = {"ExtendedStatistic": statistic} if statistic.startswith("p") else {"Statistic": statistic}
    return {"AlarmDescription": description, "Namespace": namespace, "MetricName": metric,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()], **stat, "Period": 300,
            "EvaluationPeriods": periods, "Threshold": threshold, "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching"}


def operations_alarms(table: Any, api: Any, functions: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The alarms an operator watches, by name: 5xx answers, the IVR lookup's
    p99, each function's errors and throttles, DynamoDB throttling and the
    sync's lag (``table``/``api``/``functions``: references in the template's own terms)."""
    alarms = {
        "ApiServerErrors": _alarm("The API answered 5xx (a fault of ours or of AWS below us)", "AWS/ApiGateway",
                                  "5XXError", {"ApiName": api}, "Sum", 5),
        "LookupLatency": _alarm(f"The IVR lookup's p99 (HTTP and Connect) is over {LOOKUP_P99_MS} ms", "CIM",
                                "LookupLatency", {"service": "cim"}, "p99", LOOKUP_P99_MS, 2),
        "TableThrottles": _alarm("DynamoDB throttled requests on the table", "AWS/DynamoDB", "ThrottledRequests",
                                 {"TableName": table}, "Sum", 0),
        "SyncLag": _alarm(f"The contact center's records are more than {SYNC_LAG_SECONDS // 60} minutes behind",
                          "CIM", "SyncLagSeconds", {"service": "cim"}, "Maximum", SYNC_LAG_SECONDS),
    }
    for logical, function in functions.items():
        alarms[f"{logical}Errors"] = _alarm(f"{logical} failed", "AWS/Lambda", "Errors",
                                            {"FunctionName": function}, "Sum", 0)
        alarms[f"{logical}Throttles"] = _alarm(f"{logical} was throttled", "AWS/Lambda", "Throttles",
                                               {"FunctionName": function}, "Sum", 0)
    return alarms


def dashboard(region: Any, table: str, api: str) -> dict[str, Any]:
    """The dashboard's body: requests and errors, the lookup's latency, DynamoDB
    calls and units, lookups by match, webhooks, the sync's lag."""
    def graph(title: str, metrics: list[list[Any]], stat: str = "Sum") -> dict[str, Any]:
        return {"type": "metric", "width": 12, "height": 6, "properties": {
            "title": title, "region": region, "stat": stat, "period": 300, "metrics": metrics}}

    return {"widgets": [
        graph("Requests and errors", [["AWS/ApiGateway", "Count", "ApiName", api],
                                      ["AWS/ApiGateway", "5XXError", "ApiName", api],
                                      ["AWS/ApiGateway", "4XXError", "ApiName", api]]),
        graph("IVR lookup latency (p99)", [["CIM", "LookupLatency", "service", "cim"]], "p99"),
        graph("Lookups by match", [["CIM", "Lookups", "service", "cim", "match", m, "via", via]
                                   for m in ("unique", "multiple", "none") for via in ("http", "connect")]),
        graph("DynamoDB", [["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", table],
                           ["AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", table],
                           ["AWS/DynamoDB", "ThrottledRequests", "TableName", table]]),
        graph("Webhooks", [["CIM", "WebhookAttempts", "service", "cim", "outcome", "delivered"],
                           ["CIM", "WebhookAttempts", "service", "cim", "outcome", "failed"],
                           ["CIM", "WebhookDeadLetters", "service", "cim"]]),
        graph("Contact-center sync lag (s)", [["CIM", "SyncLagSeconds", "service", "cim"]], "Maximum"),
    ]}


def bucket_tls_only(bucket_arn: Any) -> dict[str, Any]:
    """Refuse every request to the bucket that does not come over TLS."""
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [bucket_arn, {"Fn::Sub": "${AttachmentBucket.Arn}/*"} if isinstance(bucket_arn, dict)
                     else f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}


def backup_days(stage: str) -> int:
    """``CIM_BACKUP_DAYS`` in a stage: a daily AWS Backup of the table kept this
    many days, beside point-in-time recovery's 35 (0: none)."""
    return int(stage_settings(stage).get("CIM_BACKUP_DAYS") or 0)


BACKUP_SCHEDULE = "cron(0 3 * * ? *)"  # 03:00 UTC, the quiet hours of most contact centers
BACKUP_POLICY = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"


def backup_sam(stage: str) -> dict[str, Any]:
    days = backup_days(stage)
    if not days:
        return {}
    return {
        "BackupVault": {"Type": "AWS::Backup::BackupVault", "DeletionPolicy": "Retain",
                        "UpdateReplacePolicy": "Retain", "Properties": {"BackupVaultName": f"cim-{stage}"}},
        "BackupPlan": {"Type": "AWS::Backup::BackupPlan", "Properties": {"BackupPlan": {
            "BackupPlanName": f"cim-{stage}-daily", "BackupPlanRule": [{
                "RuleName": "daily", "TargetBackupVault": {"Ref": "BackupVault"},
                "ScheduleExpression": BACKUP_SCHEDULE, "Lifecycle": {"DeleteAfterDays": days}}]}}},
        "BackupRole": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "ManagedPolicyArns": [BACKUP_POLICY]}},
        "BackupSelection": {"Type": "AWS::Backup::BackupSelection", "Properties": {
            "BackupPlanId": {"Ref": "BackupPlan"}, "BackupSelection": {
                "SelectionName": "table", "IamRoleArn": {"Fn::GetAtt": ["BackupRole", "Arn"]},
                "Resources": [{"Fn::GetAtt": ["CimTable", "Arn"]}]}}},
    }


def backup_terraform(stage: str) -> dict[str, Any]:
    days = backup_days(stage)
    if not days:
        return {}
    return {
        "aws_backup_vault": {"cim": {"name": f"cim-{stage}"}},
        "aws_backup_plan": {"daily": {"name": f"cim-{stage}-daily", "rule": [{
            "rule_name": "daily", "target_vault_name": "${aws_backup_vault.cim.name}",
            "schedule": BACKUP_SCHEDULE, "lifecycle": {"delete_after": days}}]}},
        "aws_iam_role": {"backup": {"assume_role_policy": json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"}, "Action": "sts:AssumeRole"}]})}},
        "aws_iam_role_policy_attachment": {"backup": {"role": "${aws_iam_role.backup.name}",
                                                      "policy_arn": BACKUP_POLICY}},
        "aws_backup_selection": {"table": {"name": "table", "plan_id": "${aws_backup_plan.daily.id}",
                                           "iam_role_arn": "${aws_iam_role.backup.arn}",
                                           "resources": ["${aws_dynamodb_table.cim.arn}"]}},
    }


def wire_operations_sam(template: dict[str, Any], stage: str) -> dict[str, Any]:
    """Alarms, a dashboard, API throttling, a versioned TLS-only bucket."""
    resources = template["Resources"]
    table, _, _, _, _ = _names(stage)
    functions = {k: {"Ref": k} for k, r in resources.items() if r["Type"] == "AWS::Serverless::Function"}
    # One name per stage: API Gateway's metrics are dimensioned by it, and dev and prod may share an account.
    resources["RestAPI"]["Properties"]["Name"] = f"cim-{stage}"
    for name, properties in operations_alarms(table, f"cim-{stage}", functions).items():
        resources[f"{name}Alarm"] = {"Type": "AWS::CloudWatch::Alarm", "Properties": properties}
    days = log_days(stage)
    for logical in functions:  # created before the function first logs, so its retention holds from the start
        resources[f"{logical}Logs"] = {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Delete", "Properties": {
            "LogGroupName": {"Fn::Sub": f"/aws/lambda/${{{logical}}}"}, "RetentionInDays": days}}
    resources["OperationsDashboard"] = {"Type": "AWS::CloudWatch::Dashboard", "Properties": {
        "DashboardName": f"cim-{stage}",
        "DashboardBody": {"Fn::Sub": json.dumps(dashboard("${AWS::Region}", table, f"cim-{stage}"))}}}
    rate, burst = THROTTLING.get(stage, THROTTLING["dev"])
    resources["RestAPI"]["Properties"]["TracingEnabled"] = True  # the trace begins at API Gateway
    resources["RestAPI"]["Properties"]["MethodSettings"] = [{
        "ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst,
        "MetricsEnabled": True}]
    resources["AttachmentBucket"]["Properties"]["VersioningConfiguration"] = {"Status": "Enabled"}
    for logical in functions:  # the bucket's name as made (unique per account and region unless given)
        resources[logical]["Properties"].setdefault("Environment", {}).setdefault("Variables", {})[
            "CIM_BUCKET_NAME"] = {"Ref": "AttachmentBucket"}
    resources["AttachmentBucketPolicy"] = {"Type": "AWS::S3::BucketPolicy", "Properties": {
        "Bucket": {"Ref": "AttachmentBucket"},
        "PolicyDocument": bucket_tls_only({"Fn::GetAtt": ["AttachmentBucket", "Arn"]})}}
    return template


def wire_operations_terraform(template: dict[str, Any], stage: str) -> dict[str, Any]:
    """The same for Terraform, which current Terraform (1.5+) and AWS provider 5 accept."""
    resources = template["resource"]
    table, _, _, _, _ = _names(stage)
    versions = template.setdefault("terraform", {})
    versions["required_version"] = ">= 1.5"  # Chalice pins < 1.4, which a current Terraform refuses to init
    versions.setdefault("required_providers", {})["aws"] = {"source": "hashicorp/aws", "version": ">= 5.0, < 6"}
    functions = {name: f"${{aws_lambda_function.{name}.function_name}}" for name in resources["aws_lambda_function"]}
    alarms = resources.setdefault("aws_cloudwatch_metric_alarm", {})
    resources["aws_api_gateway_rest_api"]["rest_api"]["name"] = f"cim-{stage}"
    for function in resources["aws_lambda_function"].values():
        function.setdefault("environment", {}).setdefault("variables", {})[
            "CIM_BUCKET_NAME"] = "${aws_s3_bucket.attachments.bucket}"
    for name, p in operations_alarms(table, f"cim-{stage}", functions).items():
        alarms[_snake(name)] = {
            "alarm_name": f"cim-{stage}-{_snake(name)}", "alarm_description": p["AlarmDescription"],
            "namespace": p["Namespace"], "metric_name": p["MetricName"],
            "dimensions": {d["Name"]: d["Value"] for d in p["Dimensions"]},
            **({"extended_statistic": p["ExtendedStatistic"]} if "ExtendedStatistic" in p
               else {"statistic": p["Statistic"]}),
            "period": p["Period"], "evaluation_periods": p["EvaluationPeriods"], "threshold": p["Threshold"],
            "comparison_operator": p["ComparisonOperator"], "treat_missing_data": p["TreatMissingData"]}
    resources["aws_cloudwatch_log_group"] = {name: {
        "name": f"/aws/lambda/${{aws_lambda_function.{name}.function_name}}", "retention_in_days": log_days(stage)}
        for name in resources["aws_lambda_function"]}
    resources["aws_cloudwatch_dashboard"] = {"operations": {
        "dashboard_name": f"cim-{stage}", "dashboard_body": json.dumps(dashboard(region_for(stage), table, f"cim-{stage}"))}}
    rate, burst = THROTTLING.get(stage, THROTTLING["dev"])
    resources["aws_api_gateway_method_settings"] = {"all": {
        "rest_api_id": "${aws_api_gateway_rest_api.rest_api.id}", "stage_name": "api", "method_path": "*/*",
        "settings": {"throttling_rate_limit": rate, "throttling_burst_limit": burst, "metrics_enabled": True},
        "depends_on": ["aws_api_gateway_deployment.rest_api"]}}
    return template


def log_days(stage: str) -> int:
    """How long the stage's function logs are kept (``CIM_LOG_DAYS``, 30 by default)."""
    return int(stage_settings(stage).get("CIM_LOG_DAYS") or 30)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def event_bus_name(stage: str) -> str:
    return f"cim-{stage}-events"


def dead_letter_queue_name(stage: str) -> str:
    return f"cim-{stage}-event-dead-letters"


def failed_invocations_queue_name(stage: str) -> str:
    """Where an asynchronous trigger's event goes when its function keeps failing
    (schedules, contact events, contact records, webhook retries)."""
    return f"cim-{stage}-failed-invocations"


RETRY_RECEIVES = 5  # a webhook-retry message that fails this often goes to the failed invocations


def retry_queue_name(stage: str) -> str:
    return f"cim-{stage}-webhook-retries"


RETRIES_FUNCTION, RETRIES_SOURCE = "WebhookRetries", "WebhookRetriesSqsEventSource"


def wire_events_sam(template: dict[str, Any], stage: str) -> dict[str, Any]:
    """The stream function reads the table's own stream; the bus, the
    dead-letter queue and its alarm; every function knows the bus."""
    resources = template["Resources"]
    source = resources[CHANGES_FUNCTION]["Properties"]["Events"][CHANGES_SOURCE]["Properties"]
    source |= {"Stream": {"Fn::GetAtt": ["CimTable", "StreamArn"]}, "BisectBatchOnFunctionError": True,
               "MaximumRetryAttempts": STREAM_RETRIES, "MaximumRecordAgeInSeconds": STREAM_MAX_AGE_SECONDS,
               "DestinationConfig": {"OnFailure": {"Type": "SQS",
                                                   "Destination": {"Fn::GetAtt": ["EventDeadLetters", "Arn"]}}}}
    resources["EventBus"] = {"Type": "AWS::Events::EventBus", "Properties": {"Name": event_bus_name(stage)}}
    # Webhook retries on time: a delay queue the retry function reads (a message is a lane to carry on).
    resources["WebhookRetryQueue"] = {"Type": "AWS::SQS::Queue", "Properties": {
        "QueueName": retry_queue_name(stage), "SqsManagedSseEnabled": True, "VisibilityTimeout": 360}}
    retries = resources[RETRIES_FUNCTION]["Properties"]["Events"][RETRIES_SOURCE]["Properties"]
    retries["Queue"] = {"Fn::GetAtt": ["WebhookRetryQueue", "Arn"]}
    resources["EventDeadLetters"] = {"Type": "AWS::SQS::Queue", "Properties": {
        "QueueName": dead_letter_queue_name(stage), "SqsManagedSseEnabled": True,
        "MessageRetentionPeriod": 1209600}}
    resources["FailedInvocations"] = {"Type": "AWS::SQS::Queue", "Properties": {
        "QueueName": failed_invocations_queue_name(stage), "SqsManagedSseEnabled": True,
        "MessageRetentionPeriod": 1209600}}
    resources["WebhookRetryQueue"]["Properties"]["RedrivePolicy"] = {
        "deadLetterTargetArn": {"Fn::GetAtt": ["FailedInvocations", "Arn"]}, "maxReceiveCount": RETRY_RECEIVES}
    for resource in resources.values():  # schedules and contact events invoke asynchronously
        events = resource["Properties"].get("Events", {}) if resource["Type"] == "AWS::Serverless::Function" else {}
        if any(e["Type"] in ("Schedule", "CloudWatchEvent", "EventBridgeRule") for e in events.values()):
            resource["Properties"]["EventInvokeConfig"] = {
                "MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600,
                "DestinationConfig": {"OnFailure": {"Type": "SQS",
                                                    "Destination": {"Fn::GetAtt": ["FailedInvocations", "Arn"]}}}}
    for queue, description in (
            ("FailedInvocations", "A scheduled run, a contact event or record, or a webhook retry failed for good"),
            ("EventDeadLetters", "Changes the stream function could not turn into events (see docs/events.md)")):
        resources[f"{queue}Alarm"] = {"Type": "AWS::CloudWatch::Alarm", "Properties": _alarm(
            description, "AWS/SQS", "ApproximateNumberOfMessagesVisible",
            {"QueueName": {"Fn::GetAtt": [queue, "QueueName"]}}, "Maximum", 0)}
    resources["WebhookDeadLettersAlarm"] = {"Type": "AWS::CloudWatch::Alarm", "Properties": _alarm(
        "A webhook delivery ran out of retries (GET /webhooks/{id}/deliveries?status=failed)",
        WEBHOOK_DEAD_LETTER_METRIC["Namespace"], WEBHOOK_DEAD_LETTER_METRIC["MetricName"], {"service": "cim"},
        "Sum", 0)}
    for resource in resources.values():
        if resource["Type"] == "AWS::Serverless::Function":
            variables = resource["Properties"].setdefault("Environment", {}).setdefault("Variables", {})
            variables["CIM_EVENT_BUS"] = {"Ref": "EventBus"}
            variables["CIM_WEBHOOK_RETRY_QUEUE"] = {"Ref": "WebhookRetryQueue"}
    return template


def wire_events_terraform(template: dict[str, Any], stage: str) -> dict[str, Any]:
    """The same for Chalice's Terraform file (the table, bus and queue are in ours)."""
    resources = template["resource"]
    asynchronous = {t["arn"].split("aws_lambda_function.")[1].split(".")[0]
                    for t in resources.get("aws_cloudwatch_event_target", {}).values()}
    resources["aws_lambda_function_event_invoke_config"] = {name: {
        "function_name": f"${{aws_lambda_function.{name}.function_name}}", "maximum_retry_attempts": 2,
        "maximum_event_age_in_seconds": 3600,
        "destination_config": {"on_failure": {"destination": "${aws_sqs_queue.failed_invocations.arn}"}}}
        for name in sorted(asynchronous)}
    mappings = resources["aws_lambda_event_source_mapping"]
    name = next(k for k in mappings if k.startswith("table_changes"))
    mappings[name] |= {"event_source_arn": "${aws_dynamodb_table.cim.stream_arn}",
                       "bisect_batch_on_function_error": True, "maximum_retry_attempts": STREAM_RETRIES,
                       "maximum_record_age_in_seconds": STREAM_MAX_AGE_SECONDS,
                       "destination_config": {"on_failure": {
                           "destination_arn": "${aws_sqs_queue.event_dead_letters.arn}"}}}
    retries = next(k for k in mappings if k.startswith("webhook_retries"))
    mappings[retries]["event_source_arn"] = "${aws_sqs_queue.webhook_retries.arn}"
    for function in resources["aws_lambda_function"].values():
        variables = function.setdefault("environment", {}).setdefault("variables", {})
        variables["CIM_EVENT_BUS"] = "${aws_cloudwatch_event_bus.events.name}"
        variables["CIM_WEBHOOK_RETRY_QUEUE"] = "${aws_sqs_queue.webhook_retries.url}"
    return template


def events_terraform(stage: str) -> dict[str, Any]:
    return {
        "aws_cloudwatch_event_bus": {"events": {"name": event_bus_name(stage)}},
        "aws_sqs_queue": {"event_dead_letters": {"name": dead_letter_queue_name(stage), "sqs_managed_sse_enabled": True,
                                                 "message_retention_seconds": 1209600},
                          "webhook_retries": {"name": retry_queue_name(stage), "sqs_managed_sse_enabled": True,
                                              "visibility_timeout_seconds": 360,
                                              "redrive_policy": json.dumps({
                                                  "deadLetterTargetArn": "${aws_sqs_queue.failed_invocations.arn}",
                                                  "maxReceiveCount": RETRY_RECEIVES})},
                          "failed_invocations": {"name": failed_invocations_queue_name(stage),
                                                 "sqs_managed_sse_enabled": True, "message_retention_seconds": 1209600}},
        "aws_cloudwatch_metric_alarm": {**{queue: {
            "alarm_name": f"{name}-not-empty", "namespace": "AWS/SQS", "metric_name": "ApproximateNumberOfMessagesVisible",
            "dimensions": {"QueueName": f"${{aws_sqs_queue.{queue}.name}}"},
            "statistic": "Maximum", "period": 300, "evaluation_periods": 1, "threshold": 0,
            "comparison_operator": "GreaterThanThreshold", "treat_missing_data": "notBreaching"}
            for queue, name in (("failed_invocations", failed_invocations_queue_name(stage)),
                                ("event_dead_letters", dead_letter_queue_name(stage)))},
            "webhook_dead_letters": {
                "alarm_name": f"cim-{stage}-webhook-dead-letters", "namespace": WEBHOOK_DEAD_LETTER_METRIC["Namespace"],
                "metric_name": WEBHOOK_DEAD_LETTER_METRIC["MetricName"], "dimensions": {"service": "cim"},
                "statistic": "Sum", "period": 300, "evaluation_periods": 1, "threshold": 0,
                "comparison_operator": "GreaterThanThreshold", "treat_missing_data": "notBreaching"}},
    }
FLOW_FUNCTIONS = {"ConnectLookup": "connect_lookup", "ConnectSave": "connect_save"}


def connect_settings(stage: str) -> tuple[str | None, str | None]:
    """The stage's Connect instance and contact-record stream, if it has them."""
    env = stage_settings(stage)
    return env.get("CIM_CONNECT_INSTANCE_ARN") or None, env.get("CIM_CONNECT_RECORDS_STREAM_ARN") or None


def wire_connect_sam(template: dict[str, Any], instance: str | None, stream: str | None) -> dict[str, Any]:
    """Connect may invoke the flow functions (that instance only); the record
    function reads the stage's stream and reports partial batch failures.
    Without a stream the record function has no trigger (nothing to read)."""
    resources = template["Resources"]
    for logical in FLOW_FUNCTIONS:
        if instance:
            resources[f"{logical}ConnectPermission"] = {"Type": "AWS::Lambda::Permission", "Properties": {
                "FunctionName": {"Ref": logical}, "Action": "lambda:InvokeFunction",
                "Principal": "connect.amazonaws.com", "SourceArn": instance,
                "SourceAccount": {"Ref": "AWS::AccountId"}}}
    events = resources[RECORDS_FUNCTION]["Properties"].get("Events", {})
    if stream:
        events[RECORDS_SOURCE]["Properties"] |= {
            "Stream": stream, "FunctionResponseTypes": ["ReportBatchItemFailures"], "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": STREAM_RETRIES, "MaximumRecordAgeInSeconds": STREAM_MAX_AGE_SECONDS,
            "DestinationConfig": {"OnFailure": {"Type": "SQS",
                                                "Destination": {"Fn::GetAtt": ["FailedInvocations", "Arn"]}}}}
    else:
        events.pop(RECORDS_SOURCE, None)
    return template


def wire_connect_terraform(template: dict[str, Any], instance: str | None, stream: str | None) -> dict[str, Any]:
    """The same wiring for Chalice's Terraform file."""
    resources = template["resource"]
    mappings = resources.get("aws_lambda_event_source_mapping", {})
    name = next(k for k in mappings if k.startswith("connect_records"))
    if stream:
        mappings[name] |= {"event_source_arn": stream, "function_response_types": ["ReportBatchItemFailures"],
                           "bisect_batch_on_function_error": True, "maximum_retry_attempts": STREAM_RETRIES,
                           "maximum_record_age_in_seconds": STREAM_MAX_AGE_SECONDS,
                           "destination_config": {"on_failure": {
                               "destination_arn": "${aws_sqs_queue.failed_invocations.arn}"}}}
    else:
        del mappings[name]
    if instance:
        permissions = resources.setdefault("aws_lambda_permission", {})
        for function in FLOW_FUNCTIONS.values():
            permissions[f"{function}_connect"] = {
                "function_name": f"${{aws_lambda_function.{function}.arn}}", "action": "lambda:InvokeFunction",
                "principal": "connect.amazonaws.com", "source_arn": instance}
    return template


def region_for(stage: str) -> str:
    """The region to package for: the stage's ``region``, else ``AWS_DEFAULT_REGION``."""
    import os

    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    region = config["stages"][stage].get("region") or os.environ.get("AWS_DEFAULT_REGION")
    if not region:
        raise SystemExit(f"make package needs an AWS region for stage {stage!r}: set \"region\" in its entry of "
                         ".chalice/config.json, or AWS_DEFAULT_REGION")
    return region


def chalice(stage: str, out: Path, *options: str) -> None:
    import os

    command = [sys.executable, "-c", "import sys; from chalice.cli import main; sys.exit(main())",
               "package", "--stage", stage, *options, str(out)]
    done = subprocess.run(command, cwd=ROOT, env=os.environ | {"AWS_DEFAULT_REGION": region_for(stage)})
    if done.returncode != 0:
        raise SystemExit(f"chalice package failed for stage {stage!r} (its message is above)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="build the SAM and Terraform packages of a stage")
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--write-policy", action="store_true", help="rewrite .chalice/policy-<stage>.json")
    args = parser.parse_args(argv)
    if args.write_policy:
        (ROOT / ".chalice" / f"policy-{args.stage}.json").write_text(json.dumps(policy(args.stage), indent=2) + "\n")
        return 0
    build = ROOT / "build" / args.stage
    build.mkdir(parents=True, exist_ok=True)
    (build / "resources.json").write_text(json.dumps(cloudformation(args.stage), indent=2))
    if args.stage not in json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"]:
        raise SystemExit(f"no stage {args.stage!r} in .chalice/config.json")
    region_for(args.stage)
    check_secrets(args.stage)
    instance, stream = connect_settings(args.stage)
    chalice(args.stage, build / "sam", "--merge-template", str(build / "resources.json"))
    _rewrite(build / "sam" / "sam.json", lambda t: wire_operations_sam(
        wire_events_sam(wire_connect_sam(t, instance, stream), args.stage), args.stage))
    # Terraform merges every *.tf.json of a folder: ours lands beside Chalice's.
    chalice(args.stage, build / "terraform", "--pkg-format", "terraform")
    _rewrite(build / "terraform" / "chalice.tf.json",
             lambda t: wire_operations_terraform(
                 wire_events_terraform(wire_connect_terraform(t, instance, stream), args.stage), args.stage))
    (build / "terraform" / "resources.tf.json").write_text(json.dumps(terraform(args.stage), indent=2))
    sam_zip, terraform_zip = build / "sam" / "deployment.zip", build / "terraform" / "deployment.zip"
    same = sam_zip.read_bytes() == terraform_zip.read_bytes()  # Chalice reuses one built zip for both
    for built_zip in (sam_zip, terraform_zip):
        drop_runtime_packages(built_zip)
    runtime = _runtime(build / "sam" / "sam.json")
    if add_bytecode(sam_zip, runtime) and same and _runtime(build / "terraform" / "chalice.tf.json") == runtime:
        shutil.copyfile(sam_zip, terraform_zip)  # compiled once
    else:
        add_bytecode(terraform_zip, _runtime(build / "terraform" / "chalice.tf.json"))
    print(f"SAM: {build / 'sam'}; Terraform: {build / 'terraform'}")
    if not (instance and stream):
        print("Amazon Connect: set CIM_CONNECT_INSTANCE_ARN and CIM_CONNECT_RECORDS_STREAM_ARN in the stage "
              "to let the instance invoke the flow functions and to read its contact records")
    return 0


# The Lambda Python runtime ships boto3, botocore and botocore's own
# dependencies. The X-Ray SDK (Powertools' tracer) asks for botocore, so
# Chalice bundles a second copy (about 18 MB unpacked) that would only shadow
# the runtime's; the runtime's serves the SDK as it serves boto3.
FROM_THE_RUNTIME = ("botocore", "urllib3", "dateutil", "six")


def drop_runtime_packages(zip_path: Path) -> None:
    """Take out of the deployment zip the packages the runtime provides (with their dist-info)."""
    import zipfile

    def from_the_runtime(name: str) -> bool:
        top = name.split("/", 1)[0]
        project = top.split("-", 1)[0].lower().replace("python_", "") if top.endswith(".dist-info") else None
        return top.removesuffix(".py") in FROM_THE_RUNTIME or project in FROM_THE_RUNTIME

    with zipfile.ZipFile(zip_path) as source:
        kept = [(info, source.read(info)) for info in source.infolist() if not from_the_runtime(info.filename)]
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as packed:
        for info, data in kept:
            packed.writestr(info, data)


def add_bytecode(zip_path: Path, runtime: str) -> bool:
    """Compile every module in the deployment zip into it (``__pycache__``,
    hash-checked-never pycs: the zip's timestamps are not the files'), so a
    cold start loads bytecode instead of compiling the app and its
    dependencies: Lambda's code folder is read-only, so without them every
    cold start compiles again. Only when this Python is the runtime's (the
    bytecode is per minor version); False when it is not."""
    import compileall
    import py_compile
    import tempfile
    import zipfile

    if runtime != f"python{sys.version_info.major}.{sys.version_info.minor}":
        print(f"{zip_path.name}: no bytecode added (the runtime is {runtime}, this Python is "
              f"{sys.version_info.major}.{sys.version_info.minor})")
        return False
    with tempfile.TemporaryDirectory() as folder:
        with zipfile.ZipFile(zip_path) as source:
            source.extractall(folder)
            modes = {info.filename: info.external_attr for info in source.infolist()}
        compileall.compile_dir(folder, quiet=2, workers=0,
                               invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        files = sorted(p for p in Path(folder).rglob("*") if p.is_file())
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as packed:
            for path in files:
                name = path.relative_to(folder).as_posix()
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # the same zip for the same code
                info.external_attr = modes.get(name, 0o644 << 16)
                info.compress_type = zipfile.ZIP_DEFLATED
                packed.writestr(info, path.read_bytes())
    return True


def _runtime(template: Path) -> str:
    """The Python runtime the template's functions run on."""
    text = template.read_text()
    found = re.search(r'"[Rr]untime"\s*:\s*"(python3\.\d+)"', text)
    return found.group(1) if found else "unknown"


def _rewrite(path: Path, change: Any) -> None:
    path.write_text(json.dumps(change(json.loads(path.read_text())), indent=2))


if __name__ == "__main__":
    sys.exit(main())


def unpack_here(zip_path: Path, folder: Path) -> None:
    """Unpack a deployment zip to import it on this machine (the bench and the
    package tests time and check its bytecode): packages whose compiled
    extensions are for another architecture (the zip is built for arm64) are
    left out: run from the folder with this project's Python, they come from
    its environment, which holds the same versions."""
    import platform
    import zipfile

    here = platform.machine()
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
        foreign = {_top(n) for n in names if n.endswith(".so") and _elf_machine(archive.read(n)[:20]) != here}
        for name in names:
            if _top(name) not in foreign:
                archive.extract(name, folder)


def _top(name: str) -> str:
    """The importable name a zip entry belongs to (``pydantic_core/x.so`` and ``_cffi_backend.cpython-…so``)."""
    return name.split("/")[0].split(".")[0]


def _elf_machine(header: bytes) -> str:
    """An ELF file's machine, as ``platform.machine()`` names it."""
    return {62: "x86_64", 183: "aarch64"}.get(int.from_bytes(header[18:20], "little"), "?")
