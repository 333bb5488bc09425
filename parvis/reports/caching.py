"""Public pages and Open311 reads of reports are cached for anonymous clients (see
`parvis.core.caching`) under the "reports" generation, moved by every write to the data they
show: a new report, a status change or update, a photo hidden, a category renamed."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from parvis.core.caching import generation, generation_bump, public_page_cache
from parvis.core.pagination import CachedCountPaginator

GENERATION = "reports"

# Pages and Open311 reads of reports, for clients without a session: rebuilt once the reports
# change, and at least every minute (what moves with time, a per-process cache).
reports_page_cache = public_page_cache(60, generations=(GENERATION,))


def reports_generation() -> int:
    """The stamp of the reports data (template fragments that show reports key on it)."""
    return generation(GENERATION)


def reports_paginator(reports, per_page: int, *, filters: str) -> CachedCountPaginator:
    """Pages of a list of reports whose total is counted once per change of the reports;
    `filters` names the list and every filter applied to it."""
    return CachedCountPaginator(reports, per_page, key=filters, generations=(GENERATION,))


def reports_changed() -> None:
    """Move the generation now (this process's next read) and again once the transaction
    commits (so no process keeps a page rebuilt from the data before the commit)."""
    generation_bump(GENERATION)
    transaction.on_commit(lambda: generation_bump(GENERATION))


def _on_write(sender, **kwargs) -> None:
    reports_changed()


def connect() -> None:
    from parvis.reports.models import Category, Report, ReportEvent, ReportPhoto

    for model in (Report, ReportEvent, ReportPhoto, Category):
        uid = f"reports-generation-{model.__name__}"
        post_save.connect(_on_write, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_on_write, sender=model, dispatch_uid=uid + "-delete")
