"""The platform's typed API (django-ninja), OpenAPI at /api/v1/openapi.json."""

from django.http import Http404
from ninja import NinjaAPI

from parvis.reports.api import router as reports_router
from parvis.sensors.api import router as sensors_router
from parvis.territories.api import router as territories_router

api = NinjaAPI(
    title="Parvis API",
    version="1",
    description="Public and staff API of the Parvis territorial platform.",
    urls_namespace="api",
)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found"}, status=404)


api.add_router("/", territories_router)
api.add_router("/", reports_router)
api.add_router("/", sensors_router)
