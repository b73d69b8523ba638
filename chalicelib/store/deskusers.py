"""Agents who sign in through the company's identity provider: one item
each, written at every sign-in (name, e-mail, role as the provider said),
read by every desk request of their session as a key's record is, and
carrying the sign-out time that ends their sessions."""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.store import records
from chalicelib.store.codec import serialize, value
from chalicelib.store.dynamo import call
from chalicelib.store.entities import ENTITY
from chalicelib.store.entities.access import DeskUserItem


def signed_in(subject_hash: str, name: str, email: str | None, role: str, at: str) -> None:
    """Record a sign-in (an UpdateItem: it keeps the sign-out time)."""
    call("update_item", Key=serialize(DeskUserItem.keys(subject_hash)),
         UpdateExpression="SET #name = :name, email = :email, #role = :role, signed_in_at = :at, #entity = :entity",
         ExpressionAttributeNames={"#name": "name", "#role": "role", "#entity": ENTITY},
         ExpressionAttributeValues={":name": value(name), ":email": value(email), ":role": value(role),
                                    ":at": value(at), ":entity": value("desk_user")})


@dataclass(frozen=True)
class DeskUser:
    name: str
    email: str | None
    role: str
    signed_in_at: str | None = None
    signed_out_at: str | None = None  # their sessions begun before this are over


def get(subject_hash: str) -> DeskUser | None:
    record = records.get(DeskUserItem.keys(subject_hash))
    return DeskUser(record["name"], record.get("email"), record["role"], record.get("signed_in_at"),
                    record.get("signed_out_at")) if record else None


def sign_out(subject_hash: str, at: str) -> None:
    """End every session of this agent begun before ``at``."""
    call("update_item", Key=serialize(DeskUserItem.keys(subject_hash)), UpdateExpression="SET signed_out_at = :at",
         ExpressionAttributeValues={":at": value(at)})
