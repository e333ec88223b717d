"""Journeys in a real Chromium (Debian's, driven by Playwright) against a live server.

Screenshots of each major screen go to test-artifacts/browser/.
"""

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from assessment.models import Assessment

from .browser import shot
from .factories import AssessmentFactory, answer_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer_visible_page(page) -> None:
    """Answer every question on the current step as a user would."""
    for section in page.locator("section.question").all():
        radios = section.locator("input[type=radio]")
        checks = section.locator("input[type=checkbox]:not([name$='_na'])")
        number = section.locator("input[type=number]")
        if radios.count():
            radios.nth(radios.count() - 1).check()
        elif checks.count():
            for i in range(checks.count()):
                checks.nth(i).check()
        elif number.count():
            number.fill(number.get_attribute("max") or "5")
        else:
            section.locator("textarea[name$='_value']").fill("Evidence typed in the browser.")


def test_analyst_to_reviewer_to_results_journey(page_for, live_server, bank, owner, reviewer, team):
    page = page_for("owner")
    shot(page, "01-dashboard-empty")

    page.click("text=Partnerships")
    page.click("text=New partnership")
    page.fill("#id_name", "Baltic CT Cooperation")
    page.fill("#id_countries", "Estonia, Latvia, Lithuania")
    page.select_option("#id_declared_model", "multilateral")
    shot(page, "02-partnership-form")
    page.click("input[type=submit], button[type=submit] >> text=Save partnership")
    page.wait_for_selector("text=Baltic CT Cooperation")

    page.goto(f"{live_server.url}/assessments/new/")
    page.select_option("#id_partnership", label="Baltic CT Cooperation")
    page.fill("#id_marking", "RESTRICTED")
    page.click("text=Start assessment")
    page.wait_for_selector("h2:has-text('Intelligence sharing')")
    shot(page, "03-questionnaire")

    # Autosave: answer one question, see it saved, reload, it is still there.
    first = page.locator("section.question").first
    first.locator("input[type=radio]").nth(2).check()
    first.locator("textarea[name$='_comment']").fill("Autosaved evidence")
    page.wait_for_selector("section.question >> nth=0 >> text=Saved at")
    page.wait_for_timeout(1200)  # let the debounced comment save land
    page.wait_for_selector("section.question >> nth=0 >> text=Saved at")
    page.reload()
    first = page.locator("section.question").first
    assert first.locator("input[type=radio]").nth(2).is_checked()
    assert first.locator("textarea[name$='_comment']").input_value() == "Autosaved evidence"

    for step in range(4):
        answer_visible_page(page)
        page.click("button[value=next]")
        if step < 3:
            page.wait_for_selector("section.question")
    page.wait_for_selector("text=Submit for review")
    shot(page, "04-review")
    page.click("button:has-text('Submit')")
    page.wait_for_selector("text=Submitted for review")
    assessment = Assessment.objects.get(partnership__name="Baltic CT Cooperation")
    assert assessment.status == "submitted"
    assert assessment.answers.count() == bank.questions.count()

    rev = page_for("reviewer")
    rev.goto(f"{live_server.url}/assessments/{assessment.pk}/review/")
    rev.fill("#id_comment", "Sound evidence.")
    shot(rev, "05-reviewer-decision")
    rev.click("button:has-text('Approve')")
    rev.wait_for_selector("text=Assessment approved")
    assessment.refresh_from_db()
    assert assessment.status == "approved"

    page.goto(f"{live_server.url}/assessments/{assessment.pk}/results/")
    assert page.locator("svg.radar").first.is_visible()
    shot(page, "06-results")

    second = AssessmentFactory(partnership=assessment.partnership, framework=bank, owner=owner)
    answer_all(second, owner, pick=lambda choices: choices[0], number=0)
    page.goto(f"{live_server.url}/?partnership={assessment.partnership_id}")
    page.check(f"#compare-{assessment.pk}")
    page.check(f"#compare-{second.pk}")
    page.wait_for_selector("text=2 selected")
    page.click("text=Compare selected")
    page.wait_for_selector("h1:has-text('Compare assessments')")
    assert page.locator("svg.radar").first.is_visible()
    shot(page, "07-compare")

    page.goto(f"{live_server.url}/assessments/{assessment.pk}/results/")
    with page.expect_download() as download_info:
        page.click("text=PDF report")
    path = download_info.value.path()
    content = Path(path).read_bytes()
    assert content.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "Baltic CT Cooperation" in text
    assert download_info.value.suggested_filename.startswith("RESTRICTED-baltic-ct-cooperation-")


def test_autosave_on_an_assessment_submitted_meanwhile_says_so(page_for, live_server, assessment):
    page = page_for("owner")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/step/intelligence/")
    Assessment.objects.filter(pk=assessment.pk).update(status="submitted")
    first = page.locator("section.question").first
    first.locator("input[type=radio]").nth(1).check()
    first.locator("text=can no longer be edited").wait_for()
    shot(page, "10-autosave-refused")
    assert not assessment.answers.exists()
