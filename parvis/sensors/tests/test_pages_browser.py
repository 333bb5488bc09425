"""The sensors pages in a real browser: the chart with JavaScript, its table twin without."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from parvis.sensors.choices import DeviceKind
from parvis.sensors.ingest import Message, messages_ingest
from parvis.sensors.services import thing_register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def no2_path(commune_a) -> str:
    """The series page of a station's NO2, with a value every 15 minutes for 30 hours."""
    thing, token = thing_register(
        territory=commune_a,
        key="air-centre",
        kind=DeviceKind.AIR_QUALITY,
        name="Station Centre",
        latitude=47.005,
        longitude=4.805,
        operator="Atmo Test",
        purpose="Informer du niveau de pollution.",
    )
    now = timezone.now().timestamp()
    records = [
        {"n": "no2", "u": "ug/m3", "v": 20 + quarter % 40, "t": now - 900 * quarter}
        for quarter in range(1, 120)
    ]
    message = Message(
        channel="http", payload=json.dumps(records), device_key=thing.key, token=token
    )
    assert messages_ingest(messages=[message]).stored == len(records)
    return f"/capteurs/air-centre/{thing.datastreams.get(senml_name='no2').pk}/"


def test_the_chart_is_drawn_from_the_page_data(page, no2_path):
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("response", lambda response: response.status >= 400 and problems.append(response.url))
    page.goto(no2_path)
    page.locator(".chart canvas").wait_for()
    chart = page.locator(".chart")
    assert chart.get_attribute("role") == "img" and chart.get_attribute("aria-label")
    assert page.locator(".chart canvas").bounding_box()["width"] > 200
    assert page.locator(".series-table tbody tr").count() == 95  # the twin stays
    assert problems == []


def test_without_javascript_the_table_and_the_period_form_work(page_nojs, no2_path):
    tab = page_nojs
    tab.goto(no2_path)
    assert tab.locator(".chart").is_hidden() and tab.locator(".chart canvas").count() == 0
    assert tab.locator(".series-table tbody tr").count() == 95  # 24 hours, every 15 minutes
    tab.select_option("#id_period", "7d")
    tab.select_option("#id_resolution", "hour")
    tab.locator("form.filters button[type=submit]").click()
    tab.wait_for_url("**period=7d**")
    assert "resolution=hour" in tab.url
    hours = tab.locator(".series-table tbody tr").count()
    assert 29 <= hours <= 31  # 30 hours of values, hour by hour
    assert tab.locator(".series-table thead th").count() == 5  # period, mean, min, max, count
    csv_link = tab.locator("a[href*='export.csv']")
    assert "period=7d" in csv_link.get_attribute("href")


def test_the_live_map_shows_the_devices_of_the_feed(page, no2_path):
    page.goto("/capteurs/")
    page.locator(".leaflet-interactive").first.wait_for()
    assert page.locator(".leaflet-interactive").count() == 1
    assert "Station Centre" in page.locator("main table").first.inner_text()
