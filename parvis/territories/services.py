"""Writes for territories, districts and departments (set-up by platform or territory admins)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from parvis.core.audit import AuditAction, audit
from parvis.territories.models import Department, District, Territory


@transaction.atomic
def territory_create(**fields: Any) -> Territory:
    """Register a collectivité. Fields are those of `Territory`; validation is the model's."""
    territory = Territory(**fields)
    territory.full_clean()
    territory.save()
    return territory


@transaction.atomic
def district_create(
    *, territory: Territory, name: str, code: str, area: dict, actor=None
) -> District:
    """Add a district to a commune; its area is a GeoJSON (Multi)Polygon in WGS84."""
    district = District(territory=territory, name=name, code=code, area=area)
    district.full_clean()
    district.save()
    if actor is not None:
        audit(
            actor=actor,
            action=AuditAction.STAFF_ACTION,
            verb="district_create",
            target=district,
            territory=territory,
        )
    return district


@transaction.atomic
def department_create(
    *, territory: Territory, name: str, code: str, email: str = "", phone: str = "", actor=None
) -> Department:
    """Add a municipal department that can later receive work."""
    department = Department(territory=territory, name=name, code=code, email=email, phone=phone)
    department.full_clean()
    department.save()
    if actor is not None:
        audit(
            actor=actor,
            action=AuditAction.STAFF_ACTION,
            verb="department_create",
            target=department,
            territory=territory,
        )
    return department
