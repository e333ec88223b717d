"""The bank editor in a real Chromium: a new version edited, previewed, published and
compared; the default bank's v1 -> v2 diff; every bank page audited and phone-sized.

Screenshots go to test-artifacts/browser/ (banks-*.png, bank-diff-v1-v2.png).
"""

import re

import pytest
from django.contrib.auth.models import Group, Permission

from assessment.models import Assessment
from frameworks.models import Framework
from frameworks.selectors import default_bank
from frameworks.services import framework_import, framework_new_version

from .a11y import blocking_violations, describe
from .browser import DESKTOP, PHONE, shot
from .factories import AssessmentFactory, PartnershipFactory, UserFactory, answer_all
from .test_browser import OVERFLOWING_JS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bank_editor(db):
    """A member of the "bank editor" group. Transactional tests flush the groups the
    migrations made, so the group gets its permissions here again."""
    group, _ = Group.objects.get_or_create(name="bank editor")
    group.permissions.set(Permission.objects.filter(content_type__app_label="frameworks"))
    return UserFactory(username="keeper", role="bank editor")


def no_wider_than_the_window(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width == viewport, (width, page.evaluate(OVERFLOWING_JS))


def wait_for_editor(page) -> None:
    """Let an htmx swap of the editor region settle."""
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(150)


def test_bank_editor_journey(page_for, live_server, bank, bank_editor):
    page = page_for("keeper")
    page.click("nav >> text=Question banks")
    page.wait_for_selector("h1:has-text('Question banks')")
    shot(page, "banks-01-list")
    page.click("#version-ct-cooperation-1 button:has-text('New draft')")
    page.wait_for_selector("text=Created draft version 2 from version 1")
    draft = Framework.objects.get(slug="ct-cooperation", version=2)
    assert page.url.endswith("/banks/ct-cooperation/v2/")
    assert page.locator("#problems").inner_text().startswith("No problems")
    no_wider_than_the_window(page)

    intelligence = page.locator(f"#part-dimension-{draft.dimensions.get(code='intelligence').pk}")
    intelligence.locator("summary").first.click()
    int01 = draft.questions.get(code="INT-01")
    question = page.locator(f"#part-question-{int01.pk}")
    question.locator("summary").click()

    # Reword a question, in place.
    question.get_by_role("link", name="Edit question INT-01").click()
    page.fill("#id_text", "Which written arrangement governs intelligence sharing?")
    shot(page, "banks-02-edit-question")
    page.click(".part-form button:has-text('Save')")
    page.wait_for_selector(
        f"#part-question-{int01.pk} summary:has-text('Which written arrangement governs')"
    )
    wait_for_editor(page)
    assert page.locator(f"#part-question-{int01.pk}").get_attribute("open") is not None

    # Add a choice.
    page.locator(f"#part-question-{int01.pk}").get_by_role("link", name="Add a choice").click()
    page.fill("#id_label", "A treaty with sharing procedures and joint oversight")
    page.fill("#id_score", "4")
    page.click(".part-form button:has-text('Save')")
    page.wait_for_selector("td:has-text('A treaty with sharing procedures and joint oversight')")
    wait_for_editor(page)

    # Reorder two questions: INT-02 goes above INT-01.
    int02 = draft.questions.get(code="INT-02")
    page.locator(f"#part-question-{int02.pk} summary").click()
    page.get_by_role("button", name="Move question INT-02 up").click()
    page.wait_for_function(
        "() => document.querySelector('ol.questions code').textContent === 'INT-02'"
    )
    wait_for_editor(page)

    # Add a red line.
    page.get_by_role("link", name="Add a red line").click()
    page.select_option("#id_question", "INT-06")
    page.fill("#id_below", "0.5")
    page.fill("#id_cap", "40")
    page.fill("#id_reason", "Joint analysis is a safeguard against single-source error.")
    page.click(".part-form button:has-text('Save')")
    page.wait_for_selector("#red-lines th:has-text('INT-06')")
    wait_for_editor(page)
    assert page.locator("#problems").inner_text().startswith("No problems")

    # A validation problem appears (a red line on a question that allows N/A) ...
    int06 = draft.questions.get(code="INT-06")
    page.locator(f"#part-question-{int06.pk} summary").click()
    page.get_by_role("link", name="Edit question INT-06").click()
    page.check("#id_allow_na")
    page.click(".part-form button:has-text('Save')")
    problem = page.locator("#problems .problem-list li")
    problem.first.wait_for()
    assert problem.count() == 1
    assert "question 'INT-06' allows N/A, so it could be dodged" in problem.inner_text()
    shot(page, "banks-03-problem")
    problem.locator("a").click()
    assert page.url.endswith(f"#part-red-line-{draft.red_lines.get().pk}")
    # ... and disappears when it is fixed.
    page.locator(f"#part-question-{int06.pk} summary").scroll_into_view_if_needed()
    page.get_by_role("link", name="Edit question INT-06").click()
    page.uncheck("#id_allow_na")
    page.click(".part-form button:has-text('Save')")
    page.wait_for_selector("#problems:has-text('No problems')")
    wait_for_editor(page)

    # Preview one question as the analyst sees it, then the whole questionnaire.
    page.get_by_role("link", name="Preview INT-01").click()
    preview = page.locator(f"#preview-{int01.pk} section.question")
    preview.wait_for()
    assert "Which written arrangement governs intelligence sharing?" in preview.inner_text()
    assert preview.locator("input[type=radio]").count() == 5
    assert preview.locator("input[type=radio]").first.is_disabled()
    shot(page, "banks-04-draft-with-preview")
    page.click("text=Preview questionnaire")
    page.wait_for_selector("h2:has-text('Intelligence sharing')")
    first_step = page.locator("section.question").first.inner_text()
    assert first_step.startswith("INT-02.")  # the new order
    page.click("a:has-text('Next')")
    page.wait_for_selector("h2:has-text('Legal and ethical compliance')")
    assert page.locator("section.question input").first.is_disabled()
    shot(page, "banks-05-preview-step")
    page.click("text=Back to the editor")

    # Publish: the version becomes read-only.
    page.click("button:has-text('Publish')")
    page.wait_for_selector("text=It can no longer be changed")
    draft.refresh_from_db()
    assert draft.status == "published"
    assert page.get_by_role("link", name=re.compile("^Edit")).count() == 0
    assert page.locator("button:has-text('Delete'), button:has-text('↑')").count() == 0
    assert "and read-only: a published version never changes" in page.locator("main").inner_text()
    shot(page, "banks-06-published-read-only")

    # The diff to version 1 shows exactly these changes.
    page.click("text=Changes since version 1")
    page.wait_for_selector("h1:has-text('from version 1 to version 2')")
    counts = [" ".join(c.split()) for c in page.locator(".diff-counts li").all_inner_texts()]
    assert counts == ["1 reworded", "1 choices changed", "1 reordered", "36 unchanged"]
    changed = page.locator("article.diff-question")
    assert sorted(changed.locator(".card-header strong").all_inner_texts()) in (
        ["INT-01", "INT-02"],  # INT-01: reworded, choice added; INT-02 reordered (or INT-01)
        ["INT-01"],
    )
    assert page.locator("#diff-red-lines article").count() == 1
    assert "INT-06" in page.locator("#diff-red-lines").inner_text()
    assert page.locator("#diff-models, #diff-bank, #diff-bands").count() == 0
    assert page.locator("td.diff-new ins").first.inner_text().strip() == "written"
    no_wider_than_the_window(page)
    shot(page, "banks-07-diff")


def test_default_bank_v1_to_v2_diff_is_readable(page_for, live_server, bank, bank_editor):
    path, data = default_bank(version=2)
    framework_import(data=data, source=str(path), publish=True)
    page = page_for("keeper")
    page.goto(f"{live_server.url}/banks/ct-cooperation/diff/?from=1&to=2")
    page.wait_for_selector("h1:has-text('from version 1 to version 2')")
    counts = [" ".join(c.split()) for c in page.locator(".diff-counts li").all_inner_texts()]
    assert counts[:3] == ["23 added", "38 reworded", "38 guidance changed"]
    assert page.locator("section.diff-dimension").count() == 4
    assert page.locator("td.diff-old del").count() > 38
    assert page.locator("td.diff-new ins").count() > 38
    no_wider_than_the_window(page)
    shot(page, "bank-diff-v1-v2")
    page.set_viewport_size(PHONE)
    no_wider_than_the_window(page)


def test_every_bank_page_passes_an_axe_audit_and_fits_a_phone(
    page_for, live_server, bank, bank_editor, owner, team
):
    """The bank pages for those who keep banks, and the move page for an analyst."""
    path, data = default_bank(version=2)
    v2 = framework_import(data=data, source=str(path), publish=True)
    draft = framework_new_version(framework=v2)  # version 3
    question = draft.questions.get(code="INT-01")
    assessment = AssessmentFactory(
        partnership=PartnershipFactory(team=team, created_by=owner), owner=owner, framework=bank
    )
    answer_all(assessment, owner)
    pages = {
        "keeper": {
            "banks": "/banks/",
            "bank-draft": f"/banks/ct-cooperation/v{draft.version}/",
            "bank-published": "/banks/ct-cooperation/v1/",
            "bank-diff": "/banks/ct-cooperation/diff/?from=1&to=2",
            "bank-diff-error": "/banks/ct-cooperation/diff/?from=1",
            "bank-preview": f"/banks/ct-cooperation/v{draft.version}/preview/",
            "bank-edit-page": f"/banks/ct-cooperation/v3/question/{question.pk}/edit/",
        },
        "owner": {"move": f"/assessments/{assessment.pk}/move/"},
    }
    statuses = {"bank-diff-error": 400}
    found, widths = {}, {}
    for viewport in (DESKTOP, PHONE):
        for username, paths in pages.items():
            page = page_for(username, viewport=viewport)
            for name, target in paths.items():
                response = page.goto(live_server.url + target)
                assert response.status == statuses.get(name, 200), (name, response.status)
                if name == "bank-draft":  # open a dimension and a question, as when editing
                    page.locator("details.dimension summary").first.click()
                    page.locator("details.question-item summary").first.click()
                where = f"{name} at {viewport['width']} px"
                found[where] = blocking_violations(page, where)
                width = page.evaluate("document.documentElement.scrollWidth")
                if width != viewport["width"]:
                    widths[where] = (width, page.evaluate(OVERFLOWING_JS))
                if viewport is PHONE and name in ("bank-draft", "move", "banks"):
                    shot(page, f"phone-{name}")
                if viewport is PHONE and name == "banks":  # every action in view, no scrolling
                    for button in page.locator(".bank-versions .version-actions .btn").all():
                        box = button.bounding_box()
                        assert box and box["x"] + box["width"] <= viewport["width"], box
    failing = {name: v for name, v in found.items() if v}
    assert not failing, "axe found:\n" + "\n".join(
        describe(v, where=f"[{name}] ") for name, v in failing.items()
    )
    assert not widths, f"pages wider than the window: {widths}"
    assert Assessment.objects.get(pk=assessment.pk).framework_id == bank.pk  # only looked
