"""Open311 GeoReport v2 under /open311/v2/ (no language prefix): each resource in .xml and .json."""

from django.urls import re_path

from parvis.reports import open311

app_name = "open311"

FORMAT = r"\.(?P<fmt>xml|json)$"

urlpatterns = [
    re_path(r"^discovery" + FORMAT, open311.discovery, name="discovery"),
    re_path(r"^services" + FORMAT, open311.service_list, name="services"),
    re_path(
        r"^services/(?P<service_code>[-\w]+)" + FORMAT,
        open311.service_definition,
        name="service",
    ),
    re_path(r"^requests" + FORMAT, open311.service_requests, name="requests"),
    re_path(
        r"^requests/(?P<service_request_id>[^/]+?)" + FORMAT,
        open311.service_request_detail,
        name="request",
    ),
    re_path(r"^tokens/(?P<token>[-\w]+)" + FORMAT, open311.token, name="token"),
    re_path(
        r"^servicerequestupdates" + FORMAT,
        open311.service_request_updates,
        name="updates",
    ),
    re_path(r"^(?P<path>.*)$", open311.unknown, name="unknown"),
]
