"""Errors of the SensorThings API, answered as JSON `{code, type, message}` like FROST-Server."""

from __future__ import annotations


class StaError(Exception):
    """A request the API refuses: `status` is the HTTP status, `message` says why to a developer.

    400 for a malformed request, 401/403 for a credential, 404 for an entity that does not exist
    or is not public (the same answer for both), 501 for a part of the standard not implemented.
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def as_json(self) -> dict[str, object]:
        return {"code": self.status, "type": "error", "message": self.message}


def bad_request(message: str) -> StaError:
    return StaError(400, message)


def not_found(message: str) -> StaError:
    return StaError(404, message)


def not_implemented(message: str) -> StaError:
    return StaError(501, message)
