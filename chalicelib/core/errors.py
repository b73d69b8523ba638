"""Domain errors. They carry a stable code and a message naming the problem;
the API edge (``chalicelib/api/http.py``) maps each class to an HTTP status."""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "Error"
    snake_case_details = False  # the answer names details as given (merged_into), not MergedInto

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class Invalid(DomainError):
    """The request is malformed: bad JSON, wrong type, bad id, bad value."""
    code = "BadRequest"


class Unprocessable(DomainError):
    """Well-formed JSON whose meaning cannot be carried out."""
    code = "UnprocessableEntity"


class NotFound(DomainError):
    code = "NotFound"


class Conflict(DomainError):
    code = "Conflict"


class PossibleDuplicate(Conflict):
    """A create asked to be refused while another contact may be the same
    person (``?if_duplicate=refuse``): nothing was written."""
    code = "PossibleDuplicate"


class Merged(Conflict):
    """The contact was merged into another (``merged_into``): a read is
    redirected there (301), a write refused (409)."""
    code = "Merged"
    snake_case_details = True


class Contended(Conflict):
    """Another writer changed the item between our read and our write: the
    same request, made again, can succeed."""


class Gone(DomainError):
    """It existed and will never be back: an expired or revoked link."""
    code = "Gone"


class PreconditionFailed(DomainError):
    """A stale version: someone else changed the item first."""
    code = "PreconditionFailed"


class TooLarge(DomainError):
    code = "PayloadTooLarge"


class Unauthorized(DomainError):
    code = "Unauthorized"


class SignInNeeded(Unauthorized):
    """A desk page asked for without a (valid) session."""


class Forbidden(DomainError):
    code = "Forbidden"


class Unavailable(DomainError):
    """A dependency (the table, the bucket) cannot be reached."""
    code = "ServiceUnavailable"
