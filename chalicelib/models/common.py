"""Shapes shared by every area: errors, pages, model parsing."""
from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    SerializerFunctionWrapHandler,
    ValidationError,
    WithJsonSchema,
    model_serializer,
)

from chalicelib.core.errors import Invalid

# A moment the server wrote (ISO 8601 in UTC, milliseconds, ``Z``).
Instant = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


class Page(BaseModel, Generic[T]):
    """A page of a resource-style listing; ``cursor`` fetches the next one."""
    model_config = ConfigDict(defer_build=True)

    items: list[T]
    cursor: str | None = None


class OnlyWhatIsSet(BaseModel):
    """An answer whose own fields without a value are left out (not sent as
    null): a variant answer, each kind with its own fields. Nested models
    keep their nulls."""

    @model_serializer(mode="wrap")
    def _without_unset_values(self, dump: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return {k: v for k, v in dump(self).items() if v is not None}


class ErrorBody(BaseModel):
    model_config = ConfigDict(defer_build=True)

    Code: str
    Message: str


def describe(error: ValidationError) -> str:
    """One line naming each bad field and why: ``phone1: Input should be a valid string``."""
    parts = []
    for problem in error.errors(include_url=False):
        where = ".".join(str(p) for p in problem["loc"]) or "body"
        message = problem["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def parse(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise Invalid(describe(error)) from None


class Health(OnlyWhatIsSet):
    """``ok``; or ``unavailable`` with the error (a load balancer reads the status, people the error)."""
    model_config = ConfigDict(defer_build=True)

    status: Literal["ok", "unavailable"]
    Code: str | None = None
    Message: str | None = None
