"""Who a caller is, from what a contact center sends: a phone number or an
e-mail address (a chat or an e-mail has an address where a call has a
number). The rules every door follows, in one place: which of the two a
text is, how an address is compared and indexed, and which contact field
a new caller's identifier fills."""
from __future__ import annotations

from chalicelib.domain import phones


def is_address(identifier: str) -> bool:
    """An e-mail address (a caller by chat or e-mail), else a phone number."""
    return "@" in identifier


def normalized_address(address: str) -> str:
    """An e-mail address as indexed and compared: trimmed, lower-case."""
    return address.strip().lower()


def contact_field(identifier: str) -> str:
    """The contact field a new caller's identifier fills."""
    return "email" if is_address(identifier) else "phone1"


def prefilled(identifier: str) -> dict[str, str]:
    """A new-contact form's values for a caller ({} for none)."""
    return {contact_field(identifier): identifier} if identifier else {}


def is_usable(identifier: str, region: str) -> bool:
    """Whether a contact can be given this identifier: an address, or a number
    that parses ("anonymous", "withheld" or a foreign number in another
    region's format do not)."""
    return is_address(identifier) or phones.to_e164(identifier, region) is not None


def normalized(identifier: str, region: str) -> str | None:
    """A caller's identifier as indexed: an address lower-cased, a number in
    E.164 (None: a number that does not parse)."""
    return normalized_address(identifier) if is_address(identifier) else phones.to_e164(identifier, region)
