"""The DynamoDB calls whose answers ``emulator.scale_like_dynamodb`` must not
change: run as ``python -m tests.unit.emulator_scenario plain|scaled``, it
prints what each call answered and what the table held after it, as JSON."""
from __future__ import annotations

import json
import os
import sys
from typing import Any

TABLE = "scenario"


def run() -> list[Any]:
    import boto3
    from botocore.exceptions import ClientError
    from moto import mock_aws

    from chalicelib.store.table import table_definition

    seen: list[Any] = []
    with mock_aws():
        db = boto3.client("dynamodb", region_name="us-east-1")
        db.create_table(**table_definition(TABLE))

        def item(pk: str, sk: str, **extra: str) -> dict[str, Any]:
            return {"PK": {"S": pk}, "SK": {"S": sk}} | {k: {"S": v} for k, v in extra.items()}

        def everything() -> list[Any]:
            items = db.scan(TableName=TABLE)["Items"]
            return sorted(items, key=lambda i: (i["PK"]["S"], i["SK"]["S"]))

        def attempt(name: str, fn: Any) -> None:
            try:
                reply = fn()
                seen.append([name, "ok", {k: v for k, v in reply.items() if k != "ResponseMetadata"}])
            except ClientError as error:
                response = error.response
                seen.append([name, response["Error"]["Code"], response.get("CancellationReasons")])
            seen.append([name, "table", everything()])

        for p in range(30):  # other partitions, which a Query must not see
            for s in range(3):
                db.put_item(TableName=TABLE, Item=item(f"P#{p}", f"S#{s}", GSI1PK="G", GSI1SK=f"{p:03d}#{s}"))

        def query(**params: Any) -> Any:
            return lambda: db.query(TableName=TABLE, **params)

        pk = {":pk": {"S": "P#7"}}
        attempt("whole partition", query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues=pk))
        attempt("backwards, two", query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues=pk,
                                        ScanIndexForward=False, Limit=2))
        attempt("after a start key", query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues=pk,
                                           ExclusiveStartKey=item("P#7", "S#0"), Limit=1))
        attempt("begins_with", query(KeyConditionExpression="PK = :pk AND begins_with(SK, :s)",
                                     ExpressionAttributeValues=pk | {":s": {"S": "S#2"}}))
        attempt("projection", query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues=pk,
                                    ProjectionExpression="SK"))
        attempt("missing partition", query(KeyConditionExpression="PK = :pk",
                                           ExpressionAttributeValues={":pk": {"S": "P#none"}}))
        attempt("index", query(IndexName="GSI1", KeyConditionExpression="GSI1PK = :g",
                               ExpressionAttributeValues={":g": {"S": "G"}}, Limit=4, ScanIndexForward=False))

        def transact(*actions: dict[str, Any]) -> Any:
            for action in actions:
                next(iter(action.values()))["TableName"] = TABLE
            return lambda: db.transact_write_items(TransactItems=list(actions))

        absent = "attribute_not_exists(PK)"
        attempt("transaction writes", transact(
            {"Put": {"Item": item("T#1", "A", v="1"), "ConditionExpression": absent}},
            {"Delete": {"Key": item("P#1", "S#1")}},
            {"Update": {"Key": item("P#2", "S#2"), "UpdateExpression": "SET v = :v",
                        "ExpressionAttributeValues": {":v": {"S": "2"}}}}))
        attempt("cancelled by its last action", transact(
            {"Put": {"Item": item("T#2", "A", v="new"), "ConditionExpression": absent}},
            {"Delete": {"Key": item("P#3", "S#0")}},
            {"Update": {"Key": item("P#4", "S#0"), "UpdateExpression": "SET v = :v",
                        "ExpressionAttributeValues": {":v": {"S": "changed"}}}},
            {"Put": {"Item": item("T#1", "A", v="again"), "ConditionExpression": absent,
                     "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}))
        attempt("cancelled by its first action", transact(
            {"Put": {"Item": item("P#5", "S#0", v="over"), "ConditionExpression": absent}},
            {"Put": {"Item": item("T#3", "A"), "ConditionExpression": absent}}))
        attempt("one item twice", transact(
            {"Put": {"Item": item("T#4", "A")}},
            {"Delete": {"Key": item("T#4", "A")}}))
        attempt("a condition check", transact(
            {"ConditionCheck": {"Key": item("P#6", "S#0"), "ConditionExpression": "attribute_exists(v)"}},
            {"Delete": {"Key": item("P#6", "S#1")}}))

        # A GSI partition as items join it, leave it, move between partitions, and as cancelled
        # transactions leave it.
        def index(partition: str, **params: Any) -> Any:
            return query(IndexName="GSI1", KeyConditionExpression="GSI1PK = :g",
                         ExpressionAttributeValues={":g": {"S": partition}}, **params)

        def moved(pk: str, sk: str, to: str) -> Any:
            return lambda: db.update_item(TableName=TABLE, Key=item(pk, sk), UpdateExpression="SET GSI1PK = :g",
                                          ExpressionAttributeValues={":g": {"S": to}})

        attempt("moved to another partition", moved("P#8", "S#0", "H"))
        attempt("new in a partition", lambda: db.put_item(TableName=TABLE, Item=item("N#1", "A", GSI1PK="H",
                                                                                       GSI1SK="000#new")))
        attempt("deleted from a partition", lambda: db.delete_item(TableName=TABLE, Key=item("P#9", "S#1")))
        attempt("put over, out of the index", lambda: db.put_item(TableName=TABLE, Item=item("P#10", "S#0")))
        attempt("moved back", moved("P#8", "S#0", "G"))
        attempt("moved, then cancelled", transact(
            {"Update": {"Key": item("P#11", "S#0"), "UpdateExpression": "SET GSI1PK = :h",
                        "ExpressionAttributeValues": {":h": {"S": "H"}}}},
            {"Put": {"Item": item("T#1", "A"), "ConditionExpression": absent}}))
        attempt("removed from the index", lambda: db.update_item(
            TableName=TABLE, Key=item("P#12", "S#0"), UpdateExpression="REMOVE GSI1PK"))
        attempt("a batch into a partition", lambda: db.batch_write_item(RequestItems={TABLE: [
            {"PutRequest": {"Item": item(f"B#{n}", "A", GSI1PK="H", GSI1SK=f"{n:03d}")}} for n in range(3)]}))
        for partition in ("G", "H", "none"):
            attempt(f"index {partition}", index(partition))
            attempt(f"index {partition}, backwards from a key", index(
                partition, ScanIndexForward=False, Limit=3,
                ExclusiveStartKey=item("P#20", "S#1", GSI1PK=partition, GSI1SK="020#1")))
    return seen


if __name__ == "__main__":
    os.environ.update(AWS_ACCESS_KEY_ID="scenario", AWS_SECRET_ACCESS_KEY="scenario", AWS_DEFAULT_REGION="us-east-1")
    if sys.argv[1] == "scaled":
        from devtools.emulator import scale_like_dynamodb

        scale_like_dynamodb()
    print(json.dumps(run(), sort_keys=True))
