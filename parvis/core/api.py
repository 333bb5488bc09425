"""Schemas shared by every router of the platform's API."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination as _NinjaPageNumberPagination

# The highest page number an API list accepts.
MAX_PAGE = 1_000_000


class ErrorOut(Schema):
    detail: str


class ValidationErrorItem(Schema):
    type: str
    loc: list[str | int]
    msg: str
    ctx: dict[str, Any] | None = None


class ValidationErrorOut(Schema):
    """The 422 body django-ninja sends when a parameter fails its declared constraints."""

    detail: list[ValidationErrorItem]


class FieldErrorsOut(Schema):
    """A 400 body for input the domain refused: messages per field (`__all__` for the whole)."""

    detail: str
    errors: dict[str, list[str]]


class PageNumberPagination(_NinjaPageNumberPagination):
    """Page numbers bounded so that the offset stays a 64-bit integer (SQLite, PostgreSQL).

    ninja's own pagination accepts any page: `page=10**21` made an offset the databases refuse
    (a 500, found by schemathesis). A page past the end is simply empty.
    """

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=1000)
