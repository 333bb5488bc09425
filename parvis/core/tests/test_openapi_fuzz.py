"""Property-based fuzzing of the typed API against its own OpenAPI schema (schemathesis).

The schema is read from /api/v1/openapi.json of the WSGI application (config.wsgi), and every
operation in it is called in-process through that application, so the requests see the test
database (pytest-django's transaction) holding two communes and their intercommunalité. Every
response must hold to what the schema promises a client: no server error, a documented status
code, a documented content type and a body matching its schema, well-formed requests accepted
and malformed ones rejected with a 4xx.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.core.parameters import ParameterLocation

from config.wsgi import application

# Loaded at import so each operation is its own test. (schemathesis' lazy `from_fixture` loader
# relies on a pytest internal, `Item._nodeid`, which pytest 9.2 no longer has.)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

# Slugs of the territories the fixtures create: random strings would almost always be a 404.
KNOWN_SLUGS = ["commune-a", "commune-b", "val"]
# Slugs no territory can have, that reach the database unless the API turns them away first:
# PostgreSQL refuses NUL bytes in text, and a slug is at most 80 ASCII letters, digits, - or _.
# (No newline: the HTTP client strips it from the URL, so the server would see a valid slug.)
HOSTILE_SLUGS = ["commune-a\x00", "a" * 81, "commune a", "épinal"]
# Points inside the fixtures' districts (0.01° squares at 4.80/47.00 and 4.90/47.00), their
# corner, and the bounds of the valid range.
KNOWN_POINTS = [
    {"lat": 47.005, "lon": 4.805},
    {"lat": 47.005, "lon": 4.905},
    {"lat": 47.0, "lon": 4.8},
    {"lat": 90, "lon": 180},
    {"lat": -90, "lon": -180},
]


def _valid_at(case, location: ParameterLocation) -> bool:
    return case.meta is None or not case.meta.is_negative_at(location)


def _with(case, container: str, **values):
    # A new dict (not an in-place edit), so schemathesis sees the change and re-checks whether
    # the case is still valid or invalid data before judging the response.
    setattr(case, container, {**getattr(case, container), **values})
    return case


@schema.hooks.hook
def flatmap_case(context, case):
    """Steer part of the generated cases to real objects and to hostile slugs."""
    variants = [st.just(case)]
    if "slug" in case.path_parameters:
        slugs = HOSTILE_SLUGS + (KNOWN_SLUGS if _valid_at(case, ParameterLocation.PATH) else [])
        variants.append(
            st.sampled_from(slugs).map(lambda slug: _with(case, "path_parameters", slug=slug))
        )
    if {"lat", "lon"} <= set(case.query or {}) and _valid_at(case, ParameterLocation.QUERY):
        variants.append(
            st.sampled_from(KNOWN_POINTS).map(
                lambda point: _with(
                    _with(case, "path_parameters", slug="commune-a"), "query", **point
                )
            )
        )
    return st.one_of(variants)


@pytest.fixture
def _keep_test_connection():
    """Keep the database connection open across the in-process WSGI requests.

    A WSGI request ends with `close_old_connections`, which closes a connection left inside a
    transaction, as the test's is: on PostgreSQL that would end the test transaction (and drop
    its data) after the first request. Django's test client disconnects it the same way.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.usefixtures("_keep_test_connection", "commune_a", "commune_b")
def test_every_operation_keeps_the_promises_of_its_schema(case):
    case.call_and_validate()
