"""Create the table and the bucket where they do not exist yet (local mode,
tests). In AWS the deploy template creates them from the same definition."""
from __future__ import annotations

from botocore.exceptions import ClientError

from chalicelib.core.settings import get_settings
from chalicelib.domain.terms import INDEX_FORMAT
from chalicelib.store import aws
from chalicelib.store import schema as schema_store
from chalicelib.store.table import TTL_ATTRIBUTE, table_definition


def ensure_table() -> None:
    client = aws.dynamodb()
    name = get_settings().table_name
    try:
        client.create_table(**table_definition(name))
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceInUseException":
            raise
        return
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    client.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE}
    )
    # A new table holds no contact written in an older index format: nothing to reindex.
    schema_store.set_index_format(INDEX_FORMAT)


def ensure_bucket() -> None:
    client = aws.s3()
    name = get_settings().bucket_name
    try:
        client.head_bucket(Bucket=name)
        return
    except ClientError:
        pass
    region = client.meta.region_name
    if region and region != "us-east-1":
        client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    else:
        client.create_bucket(Bucket=name)
    # Versioned, as the deployed bucket is: a delete must take every version with it.
    client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})


def ensure_event_bus() -> None:
    """The outbound events' EventBridge bus, when one is named (``CIM_EVENT_BUS``)."""
    name = get_settings().event_bus
    if not name:
        return
    client = aws.client("events")
    try:
        client.create_event_bus(Name=name)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceAlreadyExistsException":
            raise


def ensure_all() -> None:
    ensure_event_bus()
    ensure_table()
    ensure_bucket()
