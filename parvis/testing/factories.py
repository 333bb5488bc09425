"""factory_boy factories. Domain rows are built through services where a service exists."""

from __future__ import annotations

import time

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)

from parvis.accounts.choices import Role
from parvis.accounts.models import Membership, User
from parvis.territories.choices import TerritoryKind
from parvis.territories.models import Department, District, Territory
from parvis.territories.validators import luhn_valid

TEST_PASSWORD = "correct horse battery staple"


def _siren(n: int) -> str:
    prefix = f"21{n:06d}"
    return next(prefix + str(d) for d in range(10) if luhn_valid(prefix + str(d)))


def square(lon: float, lat: float, size: float = 0.01) -> dict:
    """A GeoJSON square with its south-west corner at (lon, lat)."""
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory

    kind = TerritoryKind.COMMUNE
    name = factory.Sequence(lambda n: f"Commune {n}")
    slug = factory.Sequence(lambda n: f"commune-{n}")
    insee_code = factory.Sequence(lambda n: f"00{n % 1000:03d}")
    siren = factory.Sequence(_siren)
    latitude = 47.0
    longitude = 4.8
    legal_name = factory.LazyAttribute(lambda t: f"Mairie de {t.name}")
    address = "Hôtel de ville"
    contact_email = "mairie@example.org"
    publication_director = "Le maire"
    dpo_email = "dpo@example.org"
    accessibility_contact = "a11y@example.org"
    host_name = "Hébergeur"
    host_address = "Adresse de l'hébergeur"


class EPCIFactory(TerritoryFactory):
    kind = TerritoryKind.EPCI
    name = factory.Sequence(lambda n: f"Communauté {n}")
    slug = factory.Sequence(lambda n: f"epci-{n}")
    insee_code = ""


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    territory = factory.SubFactory(TerritoryFactory)
    name = factory.Sequence(lambda n: f"Quartier {n}")
    code = factory.Sequence(lambda n: f"quartier-{n}")
    area = factory.LazyFunction(lambda: square(4.8, 47.0))


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    territory = factory.SubFactory(TerritoryFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    code = factory.Sequence(lambda n: f"service-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("name", locale="fr_FR")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


def give_mfa(user: User) -> str:
    """Activate TOTP for `user`; returns the secret so tests can compute codes."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    user.__dict__.pop("_parvis_has_mfa", None)
    return secret


def staff_user(*, territory: Territory, role: str = Role.AGENT, mfa: bool = True) -> User:
    user = UserFactory()
    Membership.objects.create(user=user, territory=territory, role=role)
    if mfa:
        give_mfa(user)
    return user


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reports.Category"

    territory = factory.SubFactory(TerritoryFactory)
    name = factory.Sequence(lambda n: f"Catégorie {n}")
    group = "Voirie"
    service_code = factory.Sequence(lambda n: f"service-{n}")
    department = factory.LazyAttribute(lambda c: DepartmentFactory(territory=c.territory))
    sla_hours = 72


def jpeg_with_gps(width: int = 64, height: int = 48) -> bytes:
    """A JPEG carrying EXIF GPS coordinates and a camera model, like a phone photo."""
    import io

    from PIL import Image

    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0110] = "Phone 12"  # camera model
    exif[0x8825] = {1: "N", 2: (47.0, 5.0, 0.0), 3: "E", 4: (4.0, 48.0, 0.0)}  # GPS IFD
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif)
    return output.getvalue()


def totp_code(secret: str, *, margin: float = 3.0) -> str:
    """The TOTP code of `secret` that the server will still accept when it checks it.

    Codes change every 30 s and the server accepts the current one only (allauth's default
    tolerance): a code taken in the last seconds of its period may be stale by the time the
    form is submitted, a flaky failure. Within `margin` seconds of the end, wait for the next.
    """
    left = 30 - time.time() % 30
    if left < margin:
        time.sleep(left + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))
