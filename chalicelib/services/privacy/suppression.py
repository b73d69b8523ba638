"""The suppression list: numbers and addresses whose owner was erased. Until
an administrator lifts a suppression, nothing re-creates personal data for
it: a contact write holding it is refused (400 naming the field), a call
from it is stored without the number (anonymised), and the contact-center
sync and the Connect functions, which save calls the same way, follow."""
from __future__ import annotations

from collections.abc import Iterable

from chalicelib.core.clock import now_iso
from chalicelib.core.errors import Invalid, NotFound
from chalicelib.models.privacy import IdentifierRequest, Suppression
from chalicelib.services.privacy import identity
from chalicelib.store import privacy as store

KINDS = (identity.PHONE, identity.EMAIL)


def refused(field: str, kind: str) -> Invalid:
    return Invalid(f"{field}: this {'number' if kind == identity.PHONE else 'address'} belongs to a person who was "
                   "erased at their request; an administrator must lift its suppression before it is stored again",
                   field=field)


def digests(identifiers: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    return {(kind, value): identity.digest(kind, value) for kind, value in identifiers if kind in KINDS}


def suppressed_among(identifiers: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (kind, normalised value) pairs are suppressed (one BatchGetItem)."""
    hashed = digests(identifiers)
    hit = store.suppressed(hashed.values())
    return {pair for pair, digest in hashed.items() if digest in hit}


def is_suppressed(kind: str, value: str) -> bool:
    return store.is_suppressed(identity.digest(kind, value))


def suppress(kind: str, value: str, erasure_id: str) -> str:
    digest = identity.digest(kind, value)
    store.suppress(Suppression(hash=digest, kind=kind, erasure_id=erasure_id, since=now_iso()))
    return digest


def lift(asked: IdentifierRequest) -> Suppression:
    kind, value = identity.asked(asked)
    digest = identity.digest(kind, value)
    if not store.lift(digest):
        raise NotFound(f"{kind}: not suppressed")
    return Suppression(hash=digest, kind=kind, state="lifted")


def listing() -> list[Suppression]:
    return store.suppressions()
