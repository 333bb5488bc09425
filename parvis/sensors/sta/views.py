"""Views of the SensorThings API: parse, authorise, one call, render JSON.

Reading is anonymous and shows the public part of the registry only. Creating observations is
for devices: their ingestion token `<key>.<secret>` as `Authorization: Bearer <token>` (or as
HTTP Basic user `<key>` and password `<secret>`, which SensorThings clients send natively).
No cookie is involved, hence no CSRF token on these POSTs.
"""

from __future__ import annotations

import base64
import logging
import re
from urllib.parse import quote, urlencode

from django.core.exceptions import FieldError, RequestDataTooBig, ValidationError
from django.db import DataError, ProgrammingError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from parvis.sensors.models import Thing
from parvis.sensors.sta.entities import ENTITY_TYPES, observation_key
from parvis.sensors.sta.errors import StaError, bad_request
from parvis.sensors.sta.options import QueryOptions, parse_options
from parvis.sensors.sta.payloads import observation_from_json, observations_from_data_arrays
from parvis.sensors.sta.render import QUERY_SAFE, PageUrl, entity_document
from parvis.sensors.sta.resources import resource_read, resource_resolve, service_root
from parvis.sensors.sta.selectors import sta_device_for_token, sta_observation_get
from parvis.sensors.sta.services import sta_observations_create

logger = logging.getLogger(__name__)

# Errors of the database or the ORM while evaluating a client's expression: a comparison of a
# text with a number, a date that does not exist... The client's mistake, answered 400.
QUERY_ERRORS = (FieldError, ValidationError, ValueError, DataError, ProgrammingError)
_CREATE_PATH = re.compile(r"^(?:Datastreams\((?P<datastream>\d{1,18})\)/)?Observations/?$")


def _json(document, *, status: int = 200) -> JsonResponse:
    response = JsonResponse(
        document, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error(error: StaError) -> JsonResponse:
    response = _json(error.as_json(), status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="parvis", Basic realm="parvis"'
    return response


def _not_allowed(path: str) -> JsonResponse:
    """405: reading is the rule; only Observations are created (and CreateObservations)."""
    response = _error(StaError(405, _("Only GET, and POST of Observations, are implemented.")))
    response["Allow"] = "GET, HEAD, POST" if _CREATE_PATH.match(path) else "GET, HEAD"
    return response


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("sta:root")).rstrip("/")


def _page_url(request: HttpRequest) -> PageUrl:
    def page(skip: int, top: int) -> str:
        params = {**request.GET.dict(), "$skip": skip, "$top": top}
        query = urlencode(params, quote_via=quote, safe=QUERY_SAFE)
        return f"{request.build_absolute_uri(request.path)}?{query}"

    return page


def _device(request: HttpRequest) -> tuple[Thing, str]:
    """The device presenting its token (Bearer, or Basic key:secret), else StaError(401)."""
    scheme, _space, credential = request.headers.get("Authorization", "").partition(" ")
    token = credential.strip() if scheme.lower() == "bearer" else ""
    if scheme.lower() == "basic":
        try:
            key, _colon, secret = base64.b64decode(credential.strip()).decode().partition(":")
        except ValueError:  # not base64 (binascii.Error) or not UTF-8
            key = secret = ""
        token = f"{key}.{secret}"
    thing = sta_device_for_token(token=token)
    if thing is None:
        raise StaError(401, _("A device token is required: Authorization: Bearer <token>."))
    return thing, token


def _body(request: HttpRequest) -> bytes:
    try:
        return request.body
    except RequestDataTooBig:
        raise StaError(413, _("The body is too large: send fewer observations.")) from None


@require_safe
def root(request: HttpRequest) -> JsonResponse:
    """The service root: entity sets and the conformance classes implemented."""
    return _json(service_root(_base(request)))


@csrf_exempt
def resource(request: HttpRequest, path: str) -> HttpResponse:
    """GET any resource path; POST an Observation (the only entity a client creates)."""
    if request.method == "POST":
        return observation_create(request, path)
    if request.method not in ("GET", "HEAD"):
        return _not_allowed(path)
    try:
        options = parse_options(request.GET)
        with transaction.atomic():
            document = resource_read(
                resource_resolve(path), options, _base(request), _page_url(request)
            )
    except StaError as error:
        return _error(error)
    except QUERY_ERRORS as error:
        logger.info("SensorThings query %s?%s failed: %s", path, request.GET.urlencode(), error)
        return _error(bad_request(_("The query cannot be evaluated: %s") % error))
    if isinstance(document, str):
        return HttpResponse(document, content_type="text/plain; charset=utf-8")
    return _json(document)


def observation_create(request: HttpRequest, path: str) -> JsonResponse:
    """POST Observations (or Datastreams(id)/Observations): one observation of the device."""
    match = _CREATE_PATH.match(path)
    if match is None:
        return _not_allowed(path)
    try:
        thing, token = _device(request)
        datastream = int(match["datastream"]) if match["datastream"] else None
        observation = observation_from_json(_body(request), datastream_id=datastream)
        [outcome] = sta_observations_create(
            thing=thing, token=token, observations=[observation], path=request.path
        )
    except StaError as error:
        return _error(error)
    if outcome.observation_id is None:
        return _error(bad_request(_("The observation was not stored: %s") % outcome.error))
    datastream_id, time = observation_key(outcome.observation_id)
    row = sta_observation_get(datastream_id=datastream_id, time=time)
    document = entity_document(ENTITY_TYPES["Observations"], row, QueryOptions(), _base(request))
    response = _json(document, status=201)
    response["Location"] = document["@iot.selfLink"]
    return response


@csrf_exempt
@require_POST
def create_observations(request: HttpRequest) -> JsonResponse:
    """POST CreateObservations: data arrays in; a self link or "error" per observation out."""
    try:
        thing, token = _device(request)
        observations = observations_from_data_arrays(_body(request))
        outcomes = sta_observations_create(
            thing=thing, token=token, observations=observations, path=request.path
        )
    except StaError as error:
        return _error(error)
    base, entity = _base(request), ENTITY_TYPES["Observations"]
    links = [
        entity.link(base, outcome.observation_id) if outcome.observation_id else "error"
        for outcome in outcomes
    ]
    return _json(links, status=201)
