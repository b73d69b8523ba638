"""Where a person could be left behind: every item of the table, every
object of the bucket (key and body) and the captured logs, searched for
their identifiers in every form a writer might have used."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from chalicelib.core.settings import get_settings
from chalicelib.store import aws
from devtools.emulator import emulated_items


@dataclass
class Person:
    first_name: str
    last_name: str
    phones: list[str] = field(default_factory=list)  # E.164
    emails: list[str] = field(default_factory=list)

    def forms(self) -> list[str]:
        """E.164, the national digits, digits only, the e-mail lower-cased, the names."""
        found = []
        for phone in self.phones:
            digits = re.sub(r"\D", "", phone)
            found += [phone, digits, digits[-10:], f"({digits[-10:-7]}) {digits[-7:-4]}-{digits[-4:]}"]
        found += [e.lower() for e in self.emails] + [n.lower() for n in (self.first_name, self.last_name) if n]
        return found


def table_text() -> list[str]:
    """Every item of the table as lower-case JSON: read from the in-process
    emulation when the test runs in one (a Scan through it spends most of its
    time serialising the answer), else a test-only Scan."""
    client, table = aws.dynamodb(), get_settings().table_name
    stored = emulated_items(table)
    if stored is not None:
        return [json.dumps(i, ensure_ascii=False).lower() for i in stored]
    items, start = [], None
    while True:
        page = client.scan(TableName=table, **({"ExclusiveStartKey": start} if start else {}))
        items += [json.dumps(i, ensure_ascii=False).lower() for i in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def bucket_text() -> list[str]:
    """Every version of every object (the bucket is versioned: a deleted
    file's older versions would still hold it), key and body."""
    s3, bucket = aws.s3(), get_settings().bucket_name
    found = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for version in page.get("Versions", []):
            data = s3.get_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])["Body"].read()
            found.append((version["Key"] + " " + data.decode("utf-8", "replace")).lower())
    return found


def leftovers(person: Person, logs: str = "") -> list[str]:
    """Each place that still holds one of the person's identifiers, with the form found."""
    places = [("table", t) for t in table_text()] + [("bucket", b) for b in bucket_text()] + [("logs", logs.lower())]
    return [f"{where}: {form!r} in {text[:300]}" for where, text in places for form in person.forms()
            if form.lower() in text]
