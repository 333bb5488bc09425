"""The EcoIndex formula, and the eco-design budget: grade A for every public page."""

import pytest
from django.core.management import call_command

from parvis.testing.crawl import english, platform_pages
from parvis.testing.ecoindex import (
    DOM_QUANTILES,
    REQUEST_QUANTILES,
    SIZE_KB_QUANTILES,
    ecoindex_grade,
    ecoindex_score,
    measure,
    quantile_position,
    weight_table,
)


def test_quantile_positions_interpolate_inside_the_table():
    assert quantile_position(0, DOM_QUANTILES) == 0
    assert quantile_position(47, DOM_QUANTILES) == 1
    assert quantile_position(61, DOM_QUANTILES) == pytest.approx(1.5)
    assert quantile_position(10**9, DOM_QUANTILES) == 20
    with pytest.raises(ValueError):
        quantile_position(-1, REQUEST_QUANTILES)


def test_score_follows_the_published_formula():
    assert ecoindex_score(dom=0, requests=0, size_kb=0) == 100
    # Each metric exactly on its first quantile: q = 1 everywhere.
    assert ecoindex_score(dom=47, requests=2, size_kb=1.37) == 95
    # DOM weighs three times the size: the same quantile step costs three times more.
    dom_step = 100 - ecoindex_score(dom=75, requests=0, size_kb=0)
    size_step = 100 - ecoindex_score(dom=0, requests=0, size_kb=SIZE_KB_QUANTILES[2])
    assert dom_step == pytest.approx(3 * size_step, abs=0.02)
    assert ecoindex_score(dom=10**7, requests=10**5, size_kb=10**7) == 0


@pytest.mark.parametrize(
    ("score", "grade"), [(95, "A"), (80.01, "A"), (80, "B"), (70.5, "B"), (56, "C"), (5, "G")]
)
def test_grades(score, grade):
    assert ecoindex_grade(score) == grade


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_public_page_is_grade_a(chromium, live_server):
    call_command("demo", quiet=True)
    public = [page.path for page in platform_pages() if page.public]
    context = chromium.new_context(base_url=live_server.url)
    weights = [measure(context, path) for path in public + [english(p) for p in public]]
    context.close()
    print("\n" + weight_table(weights))
    assert weights and all(w.requests >= 2 and w.transferred_bytes > 0 for w in weights)
    over_budget = [f"{w.path}: {w.score} ({w.grade})" for w in weights if w.grade != "A"]
    assert over_budget == []
