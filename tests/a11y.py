"""axe-core audits for the browser tests (WCAG 2.0, 2.1 and 2.2, levels A and AA).

axe-core comes bundled in the axe-playwright-python package, so nothing is fetched at
test time. Use it on any page a browser test has open:

    from .a11y import assert_accessible
    assert_accessible(page, "results")

Every new page of the app gets audited by adding it to the page list in
`test_browser.py::test_every_page_passes_an_axe_audit`.
"""

from axe_playwright_python.sync_playwright import Axe

WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}

_axe = Axe()


def axe_violations(page, *, tags: list[str] = WCAG_AA_TAGS) -> list[dict]:
    """Every axe violation on the page as it is now, for the given rule tags."""
    options = {"runOnly": {"type": "tag", "values": tags}, "resultTypes": ["violations"]}
    return _axe.run(page, options=options).response["violations"]


def describe(violations: list[dict], *, where: str = "") -> str:
    """One line per violation (id, impact, help), then each element's selector and why."""
    lines = []
    for v in violations:
        lines.append(f"{where}{v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            why = " ".join(node.get("failureSummary", "").split("\n")[1:2]).strip()
            lines.append(f"    {' '.join(node['target'])}: {why}")
    return "\n".join(lines)


def blocking_violations(page, where: str) -> list[dict]:
    """Print every violation on the page and return the serious and critical ones."""
    violations = axe_violations(page)
    if violations:
        print(describe(violations, where=f"[{where}] "))
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def assert_accessible(page, where: str) -> None:
    """Fail on any serious or critical WCAG A/AA violation on the page."""
    blocking = blocking_violations(page, where)
    assert not blocking, "axe found:\n" + describe(blocking, where=f"[{where}] ")
