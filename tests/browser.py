"""Helpers for the browser tests (the fixtures are in conftest.py)."""

import shutil
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "browser"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def answer_visible_page(page, *, choice: int = -1) -> None:
    """Answer every question on the current step as a user would (radios: the option
    at index `choice`, the last by default)."""
    for section in page.locator("section.question").all():
        radios = section.locator("input[type=radio]")
        checks = section.locator("input[type=checkbox]:not([name$='_na'])")
        number = section.locator("input[type=number]")
        if radios.count():
            radios.nth(choice % radios.count()).check()
        elif checks.count():
            for i in range(checks.count()):
                checks.nth(i).check()
        elif number.count():
            number.fill(number.get_attribute("max") or "5")
        else:
            section.locator("textarea[name$='_value']").fill("Evidence typed in the browser.")
