"""The audit seam: record staff actions and staff reads of personal data.

Apps below `privacy` in the layer order (accounts, territories) must audit too, but may not
import `privacy`. They call `audit()` here; the `privacy` app plugs in the append-only store at
start-up with `set_audit_sink`. Without a sink (a bare `core` in isolation) auditing fails loudly:
an unaudited staff action must never pass silently.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class AuditAction:
    """What kind of event an audit entry records."""

    STAFF_ACTION = "staff_action"
    PERSONAL_DATA_READ = "personal_data_read"
    RIGHTS_REQUEST = "rights_request"
    SECURITY = "security"


class AuditSink(Protocol):
    def __call__(
        self,
        *,
        actor: Any,
        action: str,
        verb: str,
        target: Any = None,
        subject: Any = None,
        territory: Any = None,
        detail: dict[str, Any] | None = None,
    ) -> Any: ...


_sink: AuditSink | None = None


def set_audit_sink(sink: Callable[..., Any]) -> None:
    global _sink
    _sink = sink


def audit(
    *,
    actor: Any,
    action: str,
    verb: str,
    target: Any = None,
    subject: Any = None,
    territory: Any = None,
    detail: dict[str, Any] | None = None,
) -> Any:
    """Append one entry to the audit log.

    `actor` is who acted (a user), `target` the object acted on, `subject` the person whose
    personal data was touched, if any. Call it inside the transaction of the action it records,
    so the action and its trace commit or roll back together.
    """
    if _sink is None:
        raise RuntimeError("No audit sink configured: is parvis.privacy installed?")
    return _sink(
        actor=actor,
        action=action,
        verb=verb,
        target=target,
        subject=subject,
        territory=territory,
        detail=detail or {},
    )
