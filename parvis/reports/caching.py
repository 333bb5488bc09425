"""Public pages and Open311 reads of reports are cached for anonymous clients (see
`parvis.core.caching`) under the "reports" generation, moved by every write to the data they
show: a new report, a status change or update, a photo hidden, a category renamed."""

from __future__ import annotations

from parvis.core.caching import bump_on_write, generation, generation_changed, public_page_cache
from parvis.core.pagination import CachedCountPaginator
from parvis.territories.selectors import TERRITORIES

GENERATION = "reports"

# Pages and Open311 reads of reports, for clients without a session: rebuilt once the reports
# or the territories (names, districts, departments) change, and at least every minute (what
# moves with time, a per-process cache).
reports_page_cache = public_page_cache(60, generations=(GENERATION, TERRITORIES))


def reports_generation() -> str:
    """The stamp of what pages of reports show: the reports, and the territories' names,
    districts and departments (template fragments that show reports key on it)."""
    return f"{generation(GENERATION)}-{generation(TERRITORIES)}"


def reports_paginator(reports, per_page: int, *, filters: str) -> CachedCountPaginator:
    """Pages of a list of reports whose total is counted once per change of the reports;
    `filters` names the list and every filter applied to it."""
    return CachedCountPaginator(reports, per_page, key=filters, generations=(GENERATION,))


def reports_changed() -> None:
    """The reports changed in a way no saved row tells (an erasure, say): rebuild their pages."""
    generation_changed(GENERATION)


def connect() -> None:
    from parvis.reports.models import Category, Report, ReportEvent, ReportPhoto

    bump_on_write(GENERATION, (Report, ReportEvent, ReportPhoto, Category))
