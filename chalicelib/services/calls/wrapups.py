"""Wrap-up codes and wrapping up a call.

An administrator keeps the list of codes; an agent closes a call with one
(and an optional note). The wrap-up is kept on the call's tree, newest last,
with the code's label as it read then (a renamed code does not rewrite
history); the contact the call is linked to records it in its trail."""
from __future__ import annotations

from chalicelib.core import actor
from chalicelib.core.clock import now_iso
from chalicelib.core.errors import Invalid
from chalicelib.models.wrapups import Wrapup, WrapupCodes, WrapupRequest
from chalicelib.services.calls import interactions
from chalicelib.store import wrapups as store


def codes() -> WrapupCodes:
    return store.codes()


def replace(new: WrapupCodes) -> WrapupCodes:
    store.replace(new, now_iso())
    return new


def wrap_up(call_id: str, request: WrapupRequest) -> Wrapup:
    interactions.check_call_id(call_id)
    labels = {c.code: c.label for c in codes().codes}
    if request.code not in labels:
        known = ", ".join(sorted(labels)[:20]) or "none yet (an administrator sets them: PUT /wrapup-codes)"
        raise Invalid(f"code: {request.code!r} is not a wrap-up code; the codes are: {known}", field="code")
    made = Wrapup(code=request.code, label=labels[request.code], note=request.note, author=actor.current().who,
                  at=now_iso())
    interactions.add_wrapup(call_id, made)
    return made
