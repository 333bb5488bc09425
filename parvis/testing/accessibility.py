"""axe-core in a real browser, and the report behind the accessibility statement."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

AXE_VERSION = "4.14.1"
AXE_SOURCE = Path(__file__).parent / "vendor" / f"axe-core-{AXE_VERSION}" / "axe.min.js"
# WCAG 2.1 levels A and AA: what RGAA 4.1 requires.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
  });
  const pick = (rules) => rules.map((rule) => ({
    id: rule.id, impact: rule.impact, help: rule.help, tags: rule.tags,
    nodes: rule.nodes.slice(0, 5).map((node) => node.target.join(' ')),
  }));
  return {violations: pick(result.violations), passes: pick(result.passes)};
}"""


def run_axe(tab) -> dict:
    """Inject axe-core (through the DevTools protocol, so the page's CSP stays strict) and run
    the WCAG 2.1 A/AA rules on the current document."""
    if not tab.evaluate("() => typeof window.axe !== 'undefined'"):
        tab.evaluate(AXE_SOURCE.read_text())
    return tab.evaluate(RUN_AXE, WCAG_TAGS)


def rgaa_criteria(rule: dict) -> list[str]:
    """RGAA 4.1 criteria (x.y) a rule checks, from axe's `RGAA-x.y.z` test tags."""
    tests = [tag.removeprefix("RGAA-") for tag in rule["tags"] if tag.startswith("RGAA-")]
    return sorted({".".join(test.split(".")[:2]) for test in tests}, key=_criterion_key)


def _criterion_key(criterion: str) -> tuple[int, ...]:
    return tuple(int(part) for part in criterion.split("."))


def describe_violations(path: str, violations: list[dict]) -> list[str]:
    return [
        f"{path}: {rule['id']} ({rule['impact']}) RGAA {', '.join(rgaa_criteria(rule)) or '-'}"
        f" — {rule['help']} — {'; '.join(rule['nodes'])}"
        for rule in violations
    ]


def summarise(results: dict[str, dict], *, browser_version: str) -> dict:
    """The statement's figures: RGAA criteria checked automatically, conform or not, per page.

    A criterion is conform when some rule checking it passed on a page and none failed on any
    page; the rate is conform / (conform + non-conform), the RGAA "taux global".
    """
    conform_on: dict[str, set[str]] = {}
    failed_on: dict[str, set[str]] = {}
    for path, result in results.items():
        for rule in result["passes"]:
            for criterion in rgaa_criteria(rule):
                conform_on.setdefault(criterion, set()).add(path)
        for rule in result["violations"]:
            for criterion in rgaa_criteria(rule):
                failed_on.setdefault(criterion, set()).add(path)
    tested = sorted(set(conform_on) | set(failed_on), key=_criterion_key)
    non_conform = [c for c in tested if c in failed_on]
    conform = [c for c in tested if c not in failed_on]
    rate = round(100 * len(conform) / len(tested), 1) if tested else 0.0
    return {
        "generated_on": date.today().isoformat(),
        "tool": f"axe-core {AXE_VERSION}",
        "browser": browser_version,
        "rules": WCAG_TAGS,
        "pages": sorted(results),
        "criteria_tested": tested,
        "criteria_conform": conform,
        "criteria_non_conform": [
            {"criterion": c, "pages": sorted(failed_on[c])} for c in non_conform
        ],
        "conformity_rate": rate,
        "violations": {
            path: describe_violations(path, result["violations"])
            for path, result in results.items()
            if result["violations"]
        },
    }


def write_report(path: Path, language: str, summary: dict) -> None:
    """Merge one language's summary into the report file (one key per language)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    report = json.loads(path.read_text()) if path.exists() else {}
    report[language] = summary
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
