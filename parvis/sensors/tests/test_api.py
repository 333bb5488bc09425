"""HTTP ingestion of SenML packs with a device token."""

from __future__ import annotations

import json
import time

import pytest

from parvis.sensors.choices import DeadLetterReason, DeviceKind
from parvis.sensors.models import DeadLetter, Observation
from parvis.sensors.services import thing_register

URL = "/api/v1/sensors/senml"


@pytest.fixture
def device(commune_a):
    return thing_register(
        territory=commune_a,
        key="bruit-1",
        kind=DeviceKind.NOISE,
        name="Sonomètre",
        latitude=47.0,
        longitude=4.8,
        operator="Ville",
        purpose="Mesurer",
    )


def post(client, pack, token):
    return client.post(
        URL,
        data=json.dumps(pack),
        content_type="application/senml+json",
        headers={"Authorization": f"Bearer {token}"} if token else {},
    )


def test_a_device_posts_a_pack_and_learns_what_was_refused(client, device):
    _thing, token = device
    now = time.time()
    response = post(
        client,
        [
            {"bn": "bruit-1:", "n": "LAeq", "u": "dBA", "v": 55.5, "bt": now - 120},
            {"n": "LAeq", "v": 57.0, "t": 60},
            {"n": "LAeq", "v": 400, "t": 90},
        ],
        token,
    )
    assert response.status_code == 202
    body = response.json()
    assert (body["stored"], body["duplicates"]) == (2, 0)
    assert body["rejected"] == [
        {"reason": "out_of_range", "detail": body["rejected"][0]["detail"], "record": 2}
    ]
    assert Observation.objects.count() == 2


@pytest.mark.parametrize("token", ["", "bruit-1.wrong", "inconnu.secret"])
def test_without_a_valid_token_nothing_is_stored(client, device, token):
    response = post(client, [{"n": "LAeq", "v": 55}], token)
    assert response.status_code == 401
    assert Observation.objects.count() == 0
    assert DeadLetter.objects.get().reason in {
        DeadLetterReason.BAD_CREDENTIAL,
        DeadLetterReason.UNKNOWN_DEVICE,
    }


def test_a_malformed_body_is_kept_as_a_dead_letter(client, device):
    _thing, token = device
    response = client.post(
        URL,
        data="{oops",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 202
    assert response.json()["rejected"][0]["reason"] == "malformed"
    assert DeadLetter.objects.get().payload == "{oops"


def test_a_body_with_nul_bytes_is_kept_as_a_dead_letter(client, device):
    _thing, token = device
    response = client.post(
        URL,
        data=b'[{"n": "LAeq", "v": 5}]\x00\x00',
        content_type="application/senml+json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 202
    letter = DeadLetter.objects.get()
    assert letter.reason == "malformed" and letter.payload.startswith('[{"n": "LAeq"')
