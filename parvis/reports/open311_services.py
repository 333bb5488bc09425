"""Writes behind the Open311 GeoReport v2 API: reports filed by applications, their keys."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from parvis.core.audit import AuditAction, audit
from parvis.reports.choices import Source, UpdateChannel
from parvis.reports.models import Category, Open311Client, Report
from parvis.reports.services import report_add_update, report_create

TITLE_LENGTH = 80


def open311_title(description: str) -> str:
    """A report's title from an Open311 description (the spec has no title): its first line,
    shortened on a word boundary."""
    first_line = next((line for line in description.splitlines() if line.strip()), "")
    return Truncator(" ".join(first_line.split())).chars(TITLE_LENGTH)


@transaction.atomic
def open311_request_create(
    *,
    client: Open311Client,
    category: Category,
    description: str,
    latitude: float | None = None,
    longitude: float | None = None,
    place: str = "",
    photos=(),
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    media_url: str = "",
) -> Report:
    """File a report sent by an Open311 application, through `report_create` like any other
    (routing, photos cleaned of their metadata, deadline, acknowledgement).

    The caller has checked the client's key and that `category` serves the place. The person is
    kept informed by email when they gave one, otherwise the application relays news itself.
    A `media_url` is never fetched: agents find it in an internal note.
    """
    report = report_create(
        category=category,
        title=open311_title(description),
        description=description,
        latitude=latitude,
        longitude=longitude,
        place=place,
        photos=photos,
        reporter_name=f"{first_name.strip()} {last_name.strip()}".strip(),
        reporter_email=email,
        reporter_phone=phone,
        update_channel=UpdateChannel.EMAIL if email.strip() else UpdateChannel.NONE,
        source=Source.OPEN311,
        open311_client=client,
    )
    if media_url:
        report_add_update(
            report=report,
            actor=None,
            public=False,
            text=_("Media linked by the application %(application)s (not checked): %(url)s")
            % {"application": client.name, "url": media_url},
        )
    return report


@transaction.atomic
def open311_client_deactivate(*, client: Open311Client, actor) -> Open311Client:
    """Revoke an application's API key: it can no longer file reports. Audited.

    Its past reports keep their link to it.
    """
    client.is_active = False
    client.save(update_fields=["is_active", "updated_at"])
    audit(
        actor=actor,
        action=AuditAction.STAFF_ACTION,
        verb="open311_client_deactivate",
        target=client,
        territory=client.territory,
    )
    return client
