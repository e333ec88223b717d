"""Journeys in a real Chromium (Debian's, driven by Playwright) against a live server.

Screenshots of each major screen go to test-artifacts/browser/.
"""

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from assessment.models import Assessment

from .a11y import blocking_violations, describe
from .browser import DESKTOP, PHONE, answer_visible_page, shot
from .factories import AssessmentFactory, PartnershipFactory, answer_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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

    steps = ["intelligence", "legal", "interoperability", "trust"]
    for step in range(4):
        answer_visible_page(page)
        page.click("button[value=next]")
        # Wait for the next page: the form waits for autosaves still in flight.
        page.wait_for_url(f"**/step/{steps[step + 1]}/" if step < 3 else "**/review/")
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


def realistic_assessments(bank, owner, team, *, count: int) -> list[Assessment]:
    """Answered assessments of two partnerships, as a team would have after a few months."""
    sahel = PartnershipFactory(
        name="Sahel Counterterrorism Cooperation Partnership",
        countries="France, Mali, Niger, Burkina Faso, Chad, Mauritania",
        declared_model="multilateral",
        description="Joint intelligence fusion, training and border operations in the Sahel.",
        team=team,
        created_by=owner,
    )
    PartnershipFactory(
        name="Gulf of Guinea Maritime Security and Counterterrorism Information Exchange",
        countries="Nigeria, Ghana, Togo, Benin, Côte d'Ivoire",
        team=team,
        created_by=owner,
    )
    picks = [lambda c: c[-1], lambda c: c[0], lambda c: c[len(c) // 2]]
    assessments = []
    for n in range(count):
        a = Assessment.objects.create(
            partnership=sahel,
            framework=bank,
            owner=owner,
            marking="RESTRICTED - RELEASABLE TO FVEY",
        )
        answer_all(a, owner, pick=picks[n % 3], number=n)
        assessments.append(a)
    return assessments


# Rendered size of chart text on the phone: labels and legends, and every text.
PHONE_LABEL_MIN_PX, PHONE_TEXT_MIN_PX = 10, 9
# The outermost elements that stick out of the viewport, to say what widens a page.
OVERFLOWING_JS = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > innerWidth + 0.5)
  .filter(e => e.parentElement.getBoundingClientRect().right <= innerWidth + 0.5)
  .filter(e => { for (let a = e.parentElement; a; a = a.parentElement)
    if (getComputedStyle(a).overflowX !== 'visible') return a === document.documentElement
      || a === document.body; return true; })
  .map(e => e.tagName.toLowerCase() + [...e.classList].map(c => '.' + c).join(''))"""


def test_main_pages_fit_a_phone_without_sideways_scrolling(
    page_for, live_server, bank, owner, team
):
    assessments = realistic_assessments(bank, owner, team, count=6)
    first = assessments[0]
    ids = "&".join(f"ids={a.pk}" for a in assessments)
    pages = {
        "results": f"/assessments/{first.pk}/results/",
        "compare": f"/assessments/compare/?{ids}",
        "trend": f"/partnerships/{first.partnership_id}/trend/",
        "dashboard": "/",
        "partnerships": "/partnerships/",
        "review": f"/assessments/{first.pk}/review/",
        "questionnaire": f"/assessments/{first.pk}/step/intelligence/",
    }
    page = page_for("owner", viewport=PHONE)
    widths, smallest_text = {}, {}
    for name, path in pages.items():
        page.goto(live_server.url + path)
        shot(page, f"phone-{name}")
        widths[name] = page.evaluate("document.documentElement.scrollWidth")
        if widths[name] > PHONE["width"]:
            widths[name] = (widths[name], page.evaluate(OVERFLOWING_JS))
        sizes = page.evaluate(
            "() => [...document.querySelectorAll('svg text')].map(t => [t.closest("
            "'.axis-label, .legend-entry, .x-label') !== null, "
            "t.getScreenCTM().a * parseFloat(getComputedStyle(t).fontSize)])"
        )
        if sizes:
            smallest_text[name] = (
                min(size for label, size in sizes if label),
                min(size for _label, size in sizes),
            )
    too_wide = {name: width for name, width in widths.items() if width != PHONE["width"]}
    assert not too_wide, f"pages wider than the phone: {too_wide}"
    assert set(smallest_text) >= {"results", "compare", "trend"}
    for name, (label, text) in smallest_text.items():
        assert label >= PHONE_LABEL_MIN_PX and text >= PHONE_TEXT_MIN_PX, (name, label, text)


def test_a_long_url_in_a_description_leaves_every_column_in_view(
    page_for, live_server, owner, team
):
    PartnershipFactory(
        team=team,
        name="Gulf of Guinea maritime security cooperation",
        description="Terms at https://example.org/" + "verylongpathsegment" * 12 + "?id=1",
    )
    page = page_for("owner")
    page.goto(f"{live_server.url}/partnerships/")
    region = page.locator(".table-responsive")
    assert region.evaluate("e => e.scrollWidth <= e.clientWidth"), "the table scrolls sideways"
    assert page.locator("a:has-text('Assess')").first.is_visible()


def test_every_page_passes_an_axe_audit(
    browser, page_for, live_server, bank, owner, reviewer, admin_user, team
):
    """axe-core, WCAG 2.0/2.1/2.2 A and AA, on every page as the role that uses it.

    A new page gets audited by adding it here. Serious and critical violations fail;
    every violation is printed."""
    draft, submitted = realistic_assessments(bank, owner, team, count=2)
    Assessment.objects.filter(pk=submitted.pk).update(status="submitted")
    steps = list(bank.dimensions.order_by("order").values_list("code", flat=True))
    pages = {
        "owner": {
            "dashboard": "/",
            "partnerships": "/partnerships/",
            "partnership-new": "/partnerships/new/",
            "partnership-edit": f"/partnerships/{draft.partnership_id}/edit/",
            "assessment-new": "/assessments/new/",
            **{f"step-{code}": f"/assessments/{draft.pk}/step/{code}/" for code in steps},
            "review": f"/assessments/{draft.pk}/review/",
            "results": f"/assessments/{draft.pk}/results/",
            "compare": f"/assessments/compare/?ids={draft.pk}&ids={submitted.pk}",
            "compare-error": f"/assessments/compare/?ids={draft.pk}",
            "trend": f"/partnerships/{draft.partnership_id}/trend/",
            "password-change": "/accounts/password/",
            "password-change-done": "/accounts/password/done/",
            "404": "/assessments/999999/results/",
        },
        "reviewer": {
            "review-decision": f"/assessments/{submitted.pk}/review/",
            "403": "/partnerships/new/",
        },
        admin_user.username: {"admin-index": "/admin/"},
    }
    statuses = {"404": 404, "403": 403, "compare-error": 400}
    found = {}

    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    found["login"] = blocking_violations(page, "login")
    for _attempt in range(5):
        page.fill("#id_username", "someone-else")  # locked out: a name nobody uses below
        page.fill("#id_password", "wrong")
        page.click("button[type=submit]")
        if _attempt == 0:
            found["login-error"] = blocking_violations(page, "login-error")
    page.wait_for_selector("text=Too many failed logins")
    found["locked-out"] = blocking_violations(page, "locked-out")
    context.close()

    for viewport in (DESKTOP, PHONE):
        for username, paths in pages.items():
            page = page_for(username, viewport=viewport)
            for name, path in paths.items():
                response = page.goto(live_server.url + path)
                assert response.status == statuses.get(name, 200), (name, response.status)
                where = f"{name} at {viewport['width']} px"
                found[where] = blocking_violations(page, where)
    failing = {name: v for name, v in found.items() if v}
    assert not failing, "axe found:\n" + "\n".join(
        describe(v, where=f"[{name}] ") for name, v in failing.items()
    )


FOCUS_VERSUS_BAR_JS = """() => {
  const field = document.activeElement, bar = document.querySelector('.sticky-bottom');
  if (bar.contains(field)) return 'bar';
  if (!field.closest('section.question')) return null;
  const f = field.getBoundingClientRect(), b = bar.getBoundingClientRect();
  return {field: field.id, top: f.top, bottom: f.bottom, barTop: b.top};
}"""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_focused_fields_are_never_hidden_under_the_save_bar(
    page_for, live_server, bank, owner, team, viewport
):
    """WCAG 2.4.11: tabbing through every field of every step, the field with focus is
    wholly above the sticky Save bar (reduced motion, so the scroll lands at once)."""
    (assessment,) = realistic_assessments(bank, owner, team, count=1)
    page = page_for("owner", viewport=viewport, reduced_motion="reduce")
    hidden, checked = [], 0
    for code in bank.dimensions.order_by("order").values_list("code", flat=True):
        page.goto(f"{live_server.url}/assessments/{assessment.pk}/step/{code}/")
        for _press in range(300):
            page.keyboard.press("Tab")
            focus = page.evaluate(FOCUS_VERSUS_BAR_JS)
            if focus == "bar":
                break
            if focus is not None:
                checked += 1
                if focus["bottom"] > focus["barTop"] or focus["top"] < 0:
                    hidden.append(focus)
        else:
            pytest.fail(f"never reached the Save bar on step {code}")
    assert checked > 40
    assert not hidden, hidden
