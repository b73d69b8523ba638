"""A contact's index terms: what it can be found by (phone, e-mail, name
words, searchable attributes) and the unique values it claims."""
from __future__ import annotations

from dataclasses import dataclass

NAME = "name"
UNIQUE = "uniq:"  # kind prefix of a unique-value claim: ``uniq:<attribute key>``


@dataclass(frozen=True)
class Term:
    """One index entry of a contact: ``kind`` is phone, email, name, attr:<key> or uniq:<key>."""
    kind: str
    value: str

    def as_list(self) -> list[str]:
        return [self.kind, self.value]
