"""The latest automated accessibility audit, as recorded by `make accessibility`.

The accessibility statement is generated from this report, never written by hand: the browser
suite runs axe-core on every page and `make accessibility` stores its summary here.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

REPORT_PATH = Path(__file__).parent / "data" / "accessibility-report.json"
RGAA_CRITERIA_COUNT = 106


@lru_cache(maxsize=1)
def _report() -> dict:
    try:
        return json.loads(REPORT_PATH.read_text())
    except FileNotFoundError:
        return {}


def accessibility_audit(language: str) -> dict | None:
    """The audit summary for `language` (falling back to French), or None if never run."""
    report = _report()
    return report.get(language) or report.get("fr")
