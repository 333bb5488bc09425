"""EcoIndex (www.ecoindex.fr) computed from what a real browser transferred and rendered.

The formula and its quantile tables are the public EcoIndex method (HTTP Archive quantiles);
this is an independent implementation, the reference library's licence forbidding reuse:

    score = 100 - 5 x (3 x q(DOM) + 2 x q(requests) + q(size in KB)) / 6

where q(x) is the position of x in the metric's quantile table (0 to 20, interpolated).
"""

from __future__ import annotations

from dataclasses import dataclass

DOM_QUANTILES = (
    0, 47, 75, 159, 233, 298, 358, 417, 476, 537, 603,
    674, 753, 843, 949, 1076, 1237, 1459, 1801, 2479, 594601,
)  # fmt: skip
REQUEST_QUANTILES = (
    0, 2, 15, 25, 34, 42, 49, 56, 63, 70, 78, 86, 95, 105, 117, 130, 147, 170, 205, 281, 3920,
)  # fmt: skip
SIZE_KB_QUANTILES = (
    0, 1.37, 144.7, 319.53, 479.46, 631.97, 783.38, 937.91, 1098.62, 1265.47, 1448.32,
    1648.27, 1876.08, 2142.06, 2465.37, 2866.31, 3401.59, 4155.73, 5400.08, 8037.54, 223212.26,
)  # fmt: skip
GRADES = ((80, "A"), (70, "B"), (55, "C"), (40, "D"), (25, "E"), (10, "F"))


def quantile_position(value: float, quantiles: tuple[float, ...]) -> float:
    """Where `value` falls in the table: i + the fraction of the way to the next quantile."""
    if value < 0:
        raise ValueError("metrics are never negative")
    for index in range(1, len(quantiles)):
        if value < quantiles[index]:
            lower = quantiles[index - 1]
            return index - 1 + (value - lower) / (quantiles[index] - lower)
    return float(len(quantiles) - 1)


def ecoindex_score(*, dom: int, requests: int, size_kb: float) -> float:
    q_dom = quantile_position(dom, DOM_QUANTILES)
    q_req = quantile_position(requests, REQUEST_QUANTILES)
    q_size = quantile_position(size_kb, SIZE_KB_QUANTILES)
    return round(100 - 5 * (3 * q_dom + 2 * q_req + q_size) / 6, 2)


def ecoindex_grade(score: float) -> str:
    return next((grade for threshold, grade in GRADES if score > threshold), "G")


@dataclass(frozen=True)
class PageWeight:
    path: str
    dom: int
    requests: int
    transferred_bytes: int

    @property
    def size_kb(self) -> float:
        return self.transferred_bytes / 1024

    @property
    def score(self) -> float:
        return ecoindex_score(dom=self.dom, requests=self.requests, size_kb=self.size_kb)

    @property
    def grade(self) -> str:
        return ecoindex_grade(self.score)


# DOM elements as EcoIndex counts them: every element, minus the insides of inline SVGs.
COUNT_DOM = """() => document.getElementsByTagName('*').length
  - [...document.querySelectorAll('svg')]
      .reduce((n, svg) => n + svg.getElementsByTagName('*').length, 0)"""


def measure(context, path: str) -> PageWeight:
    """Load `path` in a fresh tab with an empty cache; count requests and bytes on the wire."""
    tab = context.new_page()
    cdp = context.new_cdp_session(tab)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    encoded: dict[str, int] = {}
    cdp.on(
        "Network.loadingFinished",
        lambda event: encoded.__setitem__(event["requestId"], int(event["encodedDataLength"])),
    )
    tab.goto(path, wait_until="networkidle")
    dom = tab.evaluate(COUNT_DOM)
    tab.close()
    return PageWeight(
        path=path, dom=dom, requests=len(encoded), transferred_bytes=sum(encoded.values())
    )


def weight_table(weights: list[PageWeight]) -> str:
    lines = [
        "| page | DOM elements | requests | transferred (KB) | EcoIndex | grade |",
        "|---|---:|---:|---:|---:|:-:|",
    ]
    lines += [
        f"| `{w.path}` | {w.dom} | {w.requests} | {w.size_kb:.1f} | {w.score:.1f} | {w.grade} |"
        for w in weights
    ]
    return "\n".join(lines)
