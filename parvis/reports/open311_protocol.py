"""The Open311 GeoReport v2 wire format: answers in XML or JSON, errors, parameters, dates.

An answer is a Document: XML with the spec's elements (a root, one element per item of a list),
or the JSON the spec derives from it (Spark convention: the root dropped). Dates are W3C
datetimes (ISO 8601 with a time zone); an empty parameter is a missing one.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from parvis.reports.open311_selectors import Open311Error

CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
# The spec's "default query limit": a span of 90 days.
MAX_WINDOW = timedelta(days=90)
# In XML a list is an element holding one child per item, named in the singular.
XML_ITEMS = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}
# Characters XML 1.0 cannot carry, even escaped (control characters pasted in a description).
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Document:
    """An Open311 answer: its XML root element and, when it is a list, each item's element.

    JSON drops the root (the spec's Spark convention): a list, or the root's fields.
    """

    root: str
    data: Any
    item: str = ""
    status: int = 200


def error_document(status: int, *descriptions: str) -> Document:
    """The spec's error answer: one {code, description} per reason, code = HTTP status."""
    return Document(
        "errors",
        [{"code": status, "description": description} for description in descriptions],
        item="error",
        status=status,
    )


def _xml_fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _xml_fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        for child in value:
            _xml_fill(ET.SubElement(element, XML_ITEMS[element.tag]), child)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = NOT_XML.sub("", str(value))


def render(document: Document, *, fmt: str) -> HttpResponse:
    """The HTTP answer in `fmt` ("xml" or "json"), UTF-8, with the spec's content types."""
    if fmt == "json":
        body = json.dumps(document.data, ensure_ascii=False)
    else:
        root = ET.Element(document.root)
        if document.item:
            for entry in document.data:
                _xml_fill(ET.SubElement(root, document.item), entry)
        else:
            _xml_fill(root, document.data)
        body = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")
    response = HttpResponse(body.encode(), status=document.status, content_type=CONTENT_TYPES[fmt])
    # Public data and key-authenticated writes (no cookie is ever read): any web app may call.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def open311_endpoint(*methods: str) -> Callable:
    """Make a view returning a Document an Open311 endpoint: format, methods, errors, no CSRF
    (applications authenticate with their api_key, never with a session cookie).

    Texts follow the application's Accept-Language (French by default): the pages' language
    comes from their path, which an API address does not carry.
    """
    allowed = {*methods, "HEAD"} if "GET" in methods else set(methods)

    def decorate(view: Callable[..., Document]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def endpoint(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
            language = translation.get_language_from_request(request)
            with translation.override(language):
                response = _respond(request, fmt, **kwargs)
            response["Content-Language"] = language
            return response

        def _respond(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
            if request.method not in allowed:
                message = _("Method %(method)s is not allowed here.") % {"method": request.method}
                response = render(error_document(405, message), fmt=fmt)
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                document = view(request, **kwargs)
            except Open311Error as error:
                document = error_document(error.status, *error.descriptions)
            return render(document, fmt=fmt)

        return csrf_exempt(endpoint)

    return decorate


def param(params: QueryDict, name: str) -> str:
    """A parameter; empty and missing are the same, as the spec requires."""
    return (params.get(name) or "").strip()


def param_list(params: QueryDict, name: str) -> list[str]:
    """A comma-separated parameter ("open,closed"), without empty items."""
    return [value.strip() for value in param(params, name).split(",") if value.strip()]


def _moment(params: QueryDict, name: str) -> datetime | None:
    """A W3C datetime parameter; a bare date is midnight, a missing offset is French time."""
    # An unencoded "+01:00" in a query string arrives as " 01:00".
    raw = param(params, name).replace(" ", "+")
    if not raw:
        return None
    try:
        moment = parse_datetime(raw)
        if moment is None and (day := parse_date(raw)) is not None:
            moment = datetime.combine(day, time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise Open311Error(
            400,
            _("%(name)s is not a W3C datetime such as 2010-01-01T00:00:00Z.") % {"name": name},
        )
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def period(params: QueryDict) -> tuple[datetime, datetime]:
    """The period asked for: at most 90 days, the latest 90 days by default (spec)."""
    start, end = _moment(params, "start_date"), _moment(params, "end_date")
    if start and end:
        if end < start:
            raise Open311Error(400, _("end_date is before start_date."))
        if end - start > MAX_WINDOW:
            raise Open311Error(400, _("start_date and end_date may not span more than 90 days."))
    elif start:
        end = start + MAX_WINDOW
    elif end:
        start = end - MAX_WINDOW
    else:
        end = timezone.now()
        start = end - MAX_WINDOW
    return start, end


def w3c(moment: datetime | None) -> str | None:
    """2026-11-23T12:00:00+01:00: to the second, in French time, with its offset."""
    return timezone.localtime(moment).replace(microsecond=0).isoformat() if moment else None
