"""Collectivités served by the platform, their districts and their departments."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.core.models import TerritorialModel, TimeStampedModel
from parvis.territories.choices import TerritoryKind
from parvis.territories.validators import (
    validate_area_geojson,
    validate_insee_code,
    validate_siren,
)


class Territory(TimeStampedModel):
    """A collectivité served by the platform: a commune, or an intercommunalité (EPCI).

    A commune may belong to an EPCI (`parent`). A staff role held on an EPCI extends to its
    member communes (intercommunal services act on behalf of them); a role held on a commune
    never reaches another commune. The legal fields feed the mentions légales, accessibility
    statement and privacy policy pages.
    """

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=TerritoryKind.choices)
    insee_code = models.CharField(
        _("INSEE code"),
        max_length=5,
        blank=True,
        validators=[validate_insee_code],
        help_text=_("Code officiel géographique of a commune."),
    )
    siren = models.CharField(_("SIREN"), max_length=9, unique=True, validators=[validate_siren])
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("intercommunalité"),
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    latitude = models.FloatField(_("latitude of the centre"))
    longitude = models.FloatField(_("longitude of the centre"))
    boundary = models.JSONField(
        _("boundary (GeoJSON)"), null=True, blank=True, validators=[validate_area_geojson]
    )
    is_active = models.BooleanField(_("served by the platform"), default=True)

    # Legal identity, for the pages a French public site must publish.
    legal_name = models.CharField(_("legal name"), max_length=200)
    address = models.TextField(_("postal address"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact email"))
    publication_director = models.CharField(_("director of publication"), max_length=200)
    dpo_email = models.EmailField(_("data protection officer email"))
    accessibility_contact = models.EmailField(_("accessibility contact email"))
    host_name = models.CharField(_("host"), max_length=200)
    host_address = models.TextField(_("host address"))
    data_retention_note = models.TextField(_("retention note"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        constraints = [
            models.UniqueConstraint(
                fields=["insee_code"],
                condition=~models.Q(insee_code=""),
                name="territory_unique_insee_code",
                violation_error_message=_("A territory with this INSEE code already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind="epci", insee_code="", parent__isnull=True)
                | (models.Q(kind="commune") & ~models.Q(insee_code="")),
                name="territory_kind_identifiers",
                violation_error_message=_(
                    "A commune needs its INSEE code; an intercommunalité has none and no parent."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def territory(self) -> Territory:
        """A territory is its own scope, so permission predicates treat it like any row."""
        return self


class District(TerritorialModel):
    """A quartier: an area of one commune, used to route work and to aggregate figures."""

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=80)
    area = models.JSONField(_("area (GeoJSON)"), validators=[validate_area_geojson])

    class Meta:
        ordering = ["territory", "name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "code"],
                name="district_unique_code",
                violation_error_message=_("This territory already has a district with this code."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Department(TerritorialModel):
    """A municipal service (voirie, espaces verts, eau...) that receives and handles work."""

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=80)
    email = models.EmailField(_("functional email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["territory", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "code"],
                name="department_unique_code",
                violation_error_message=_(
                    "This territory already has a department with this code."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name
