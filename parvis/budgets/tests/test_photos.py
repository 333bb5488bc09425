"""Photos of proposals and of the works: validated, stripped of metadata, served by the platform."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from parvis.budgets.models import Envelope, ProjectPhoto
from parvis.budgets.tests.test_views import EN, make_budget
from parvis.testing.factories import UserFactory, jpeg_with_gps


@pytest.fixture
def envelope(commune_a):
    budget = make_budget(commune_a, actions=["submit"])
    return Envelope.objects.create(budget=budget, name="Toute la ville", amount=50_000)


def propose(client, envelope, *files):
    return client.post(
        f"{EN}/proposer/",
        {
            "envelope": envelope.pk,
            "title": "Un jardin partagé",
            "description": "Des bacs pour cultiver ensemble.",
            "photos": list(files),
        },
    )


def test_a_proposal_photo_loses_its_gps_position_and_is_shown(client, envelope):
    client.force_login(UserFactory())
    photo = SimpleUploadedFile("IMG_2041.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = propose(client, envelope, photo)
    assert response.status_code == 302
    stored = ProjectPhoto.objects.get()
    with Image.open(stored.image.open("rb")) as image:
        assert not image.getexif() and "exif" not in image.info
    page = client.get(response["Location"]).content.decode()
    served = f"/photos/{stored.pk}/"
    assert served in page
    assert client.get(f"{EN}{served}")["Content-Type"] == "image/jpeg"


def test_a_file_that_is_not_an_image_is_refused_and_the_text_kept(client, envelope):
    client.force_login(UserFactory())
    fake = SimpleUploadedFile("plan.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = propose(client, envelope, fake)
    assert response.status_code == 400
    page = response.content.decode()
    assert "not a readable image" in page and "Des bacs pour cultiver ensemble." in page
    assert not ProjectPhoto.objects.exists()


def test_four_photos_are_too_many(client, envelope):
    client.force_login(UserFactory())
    files = [SimpleUploadedFile(f"{n}.png", _png(), content_type="image/png") for n in range(4)]
    assert propose(client, envelope, *files).status_code == 400
    assert not ProjectPhoto.objects.exists()


def _png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(output, format="PNG")
    return output.getvalue()
