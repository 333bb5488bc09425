"""HTTP ingestion of SenML packs (`POST /api/v1/sensors/senml`), for devices without MQTT.

The device authenticates with its token: `Authorization: Bearer <key>.<secret>`. The body is a
SenML JSON pack (RFC 8428, `application/senml+json`). The same pipeline as MQTT applies:
what is refused lands in the dead-letter store with its reason, and the answer says why.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema, Status

from parvis.core.api import ErrorOut
from parvis.sensors.choices import Channel, DeadLetterReason
from parvis.sensors.ingest import Message, messages_ingest

router = Router(tags=["sensors"])


class RejectedOut(Schema):
    reason: str
    detail: str
    record: int | None = None


class IngestOut(Schema):
    stored: int
    duplicates: int
    suspect: int
    rejected: list[RejectedOut]


UNAUTHORISED = {DeadLetterReason.BAD_CREDENTIAL, DeadLetterReason.UNKNOWN_DEVICE}


@router.post(
    "/sensors/senml",
    response={202: IngestOut, 401: ErrorOut},
    auth=None,
    summary="Send a SenML pack from a device",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/senml+json": {"schema": {"type": "array"}}},
        }
    },
)
def senml_ingest(request: HttpRequest):
    authorization = request.headers.get("Authorization", "")
    token = authorization.removeprefix("Bearer ").strip() if authorization else ""
    message = Message(
        channel=Channel.HTTP,
        payload=request.body,
        topic=request.path,
        device_key=token.partition(".")[0],
        token=token,
    )
    result = messages_ingest(messages=[message])
    if result.dead_letters and result.dead_letters[0].reason in UNAUTHORISED:
        return Status(401, {"detail": "unknown device or wrong token"})
    return Status(
        202,
        {
            "stored": result.stored,
            "duplicates": result.duplicates,
            "suspect": result.suspect,
            "rejected": [
                {"reason": letter.reason, "detail": letter.detail, "record": letter.record_index}
                for letter in result.dead_letters
            ],
        },
    )
