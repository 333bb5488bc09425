"""Domain events, always delivered after the surrounding transaction commits.

Cross-domain side effects (notifications, dashboards, open data) listen to events; an event is
never sent for work that was rolled back. Use::

    report_created = DomainEvent("report_created")
    report_created.send_on_commit(sender=Report, report=report)
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import Signal


class DomainEvent(Signal):
    """A named signal whose `send_on_commit` defers delivery until commit."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def send_on_commit(self, sender: Any, **payload: Any) -> None:
        # robust=False: a failing listener must be seen, not swallowed; listeners that do
        # slow or fallible work enqueue a background job instead of doing it inline.
        transaction.on_commit(lambda: self.send(sender=sender, **payload), robust=False)

    def __repr__(self) -> str:
        return f"<DomainEvent {self.name}>"
