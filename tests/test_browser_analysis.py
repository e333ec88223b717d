"""Browser journeys for the questionnaire's edge cases, the roadmap and what-if, and
independent answers with reconciliation; every new page is audited with axe-core."""

import pytest

from assessment.models import Answer, Assessment, Respondent
from assessment.roles import ANALYST
from assessment.selectors import bank_spec
from assessment.services import assessment_submit

from .a11y import assert_accessible
from .browser import answer_visible_page, shot
from .factories import UserFactory, answer_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_number_the_browser_cannot_read_is_never_saved(page_for, live_server, assessment):
    page = page_for("owner")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/step/intelligence/")
    numeric = bank_spec(assessment.framework).question_by_code["INT-04"]
    field = page.locator(f"#q{numeric.id}_value")
    field.fill("6")
    page.locator(f"#status-{numeric.id} >> text=Saved at").wait_for()
    field.fill("")
    field.type("1e400")  # Chromium blanks this value: it would clear the stored answer
    page.locator(f"#q{numeric.id}_error >> text=Not a number").wait_for()
    page.locator(f"#status-{numeric.id} >> text=Not saved: not a number").wait_for()
    page.wait_for_timeout(1200)  # past the autosave delay
    assert Answer.objects.get(question_id=numeric.id).number == 6
    # The page save is held back too, with focus on the field.
    page.click("button[value=save]")
    page.wait_for_timeout(500)
    assert page.evaluate("document.activeElement.id") == f"q{numeric.id}_value"
    assert Answer.objects.get(question_id=numeric.id).number == 6
    shot(page, "20-not-a-number")
    field.fill("7")
    page.locator(f"#status-{numeric.id} >> text=Saved at").wait_for()
    assert Answer.objects.get(question_id=numeric.id).number == 7


def test_progress_moves_with_each_autosave(page_for, live_server, assessment):
    page = page_for("owner")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/step/intelligence/")
    badge = page.locator("#step-count-intelligence")
    total = badge.inner_text().split("/")[1].split()[0]
    assert badge.inner_text().startswith("0/")
    sections = page.locator("section.question")
    sections.nth(0).locator("input[type=radio]").first.check()
    page.locator("#step-count-intelligence >> text=1/").wait_for()
    sections.nth(2).locator("input[type=radio]").first.check()
    page.locator("#step-count-intelligence >> text=2/").wait_for()
    assert page.locator("#progress-dimension .progress-bar").inner_text() == f"2/{total}"
    assert page.locator("#progress-overall").get_attribute("aria-valuenow") != "0"


def test_a_stale_tab_keeps_the_typed_text_and_says_why_the_save_was_refused(
    page_for, live_server, assessment, owner
):
    page = page_for("owner")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/step/intelligence/")
    assert "no-store" in page.evaluate(
        "() => fetch(location.href).then(r => r.headers.get('cache-control'))"
    )
    answer_all(assessment, owner)
    assessment_submit(assessment=assessment, user=owner)  # "in another tab"
    text = bank_spec(assessment.framework).question_by_code["INT-09"]
    area = page.locator(f"#q{text.id}_value")
    area.fill("Typed after the submission in another tab")
    status = page.locator(f"#status-{text.id}")
    status.locator("text=owner submitted this assessment").wait_for()
    assert "Your text is still on this page" in status.inner_text()
    assert area.input_value() == "Typed after the submission in another tab"
    assert page.locator("section.question").count() > 5  # the form is still there
    shot(page, "21-stale-tab")
    assert Answer.objects.get(question_id=text.id).text == "Evidence text."


def test_after_logging_in_again_in_another_tab_the_open_page_saves(
    page_for, live_server, assessment
):
    """The status line says: log in again in another tab, then save this page. Logging
    in gives a new security token; the open page must send it, not the old one."""
    page = page_for("owner")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/step/intelligence/")
    text = bank_spec(assessment.framework).question_by_code["INT-09"]
    other = page.context.new_page()
    other.goto(f"{live_server.url}/")
    other.click("form[action='/accounts/logout/'] button")
    other.wait_for_url("**/accounts/login/**")
    area = page.locator(f"#q{text.id}_value")
    area.fill("Typed while logged out")
    page.locator(f"#status-{text.id} >> text=session has expired").wait_for()
    other.goto(f"{live_server.url}/accounts/login/")
    other.fill("#id_username", "owner")
    other.fill("#id_password", "pw")
    other.click("button[type=submit]")
    other.wait_for_url(f"{live_server.url}/")
    with page.expect_navigation():
        page.click("button[value=save]")
    assert "security token" not in page.content()
    shot(page, "21b-saved-after-logging-in-again")
    assert Answer.objects.get(question_id=text.id).text == "Typed while logged out"
    # and autosave goes on working in the open page
    area.fill("Typed after logging in again")
    page.locator(f"#status-{text.id} >> text=Saved at").wait_for()
    assert Answer.objects.get(question_id=text.id).text == "Typed after logging in again"


def test_double_clicking_submit_sends_it_once_and_lands_on_the_review_page(
    page_for, live_server, assessment, owner
):
    answer_all(assessment, owner)
    page = page_for("owner")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/review/")
    page.locator("button:has-text('Submit')").dblclick()
    page.wait_for_selector("text=Submitted for review")
    assert page.url.endswith(f"/assessments/{assessment.pk}/review/")
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    assert assessment.status_changes.filter(to_status="submitted").count() == 1


def test_roadmap_model_picker_and_what_if_with_reset(page_for, live_server, assessment, owner):
    answer_all(assessment, owner, pick=lambda choices: choices[1], number=3)
    page = page_for("owner")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/results/")
    page.wait_for_selector("h2:has-text('Roadmap to Bilateral agreement')")
    assert page.locator(".roadmap-table tbody tr").count() >= 1
    shot(page, "22-roadmap")
    page.select_option("#id_roadmap", "informal")
    page.click("#roadmap button:has-text('Show')")
    page.wait_for_selector("h2:has-text('Roadmap to Informal network')")
    assert_accessible(page, "results with roadmap")
    # What-if: raise one answer; the projection appears without a reload.
    first = bank_spec(assessment.framework).question_by_code["INT-01"]
    page.locator("details.mb-2 summary").first.click()
    page.select_option(f"#w{first.id}", str(first.choices[-1].id))
    page.wait_for_selector("text=Projection with 1 answer changed")
    projected = page.locator("#what-if-overall").inner_text()
    assert projected != page.locator(".display-5").inner_text().split()[0]
    assert_accessible(page, "what-if")
    shot(page, "23-what-if")
    page.click("button:has-text('Reset to the real answers')")
    page.wait_for_selector("text=Projection with 0 answers changed")
    assert page.locator(f"#w{first.id}").input_value() == str(first.choices[1].id)
    assert Answer.objects.get(question_id=first.id).choice_id == first.choices[1].id


def test_three_analysts_answer_the_owner_reconciles_and_a_reviewer_approves(
    page_for, live_server, assessment, owner, teammate, reviewer, team
):
    third = UserFactory(username="third", role=ANALYST)
    team.members.add(third)
    page = page_for("owner")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/independent/")
    assert_accessible(page, "independent: choose respondents")
    for name in ("owner", "teammate", "third"):
        page.check(f"label:has-text('{name}') >> xpath=preceding-sibling::input")
    page.click("text=Start independent answering")
    page.wait_for_selector("text=Each respondent now answers")
    shot(page, "24-respondents")
    steps = list(assessment.framework.dimensions.values_list("code", flat=True))
    for name, choice in (("owner", -1), ("teammate", -1), ("third", 0)):
        p = page if name == "owner" else page_for(name)
        p.goto(f"{live_server.url}/assessments/{assessment.pk}/my-answers/")
        p.wait_for_selector("text=Your own answers, given independently")
        if name == "teammate":
            assert_accessible(p, "my answers")
        for step in range(len(steps)):
            answer_visible_page(p, choice=choice)
            p.click("button[value=next]")
            after = f"step/{steps[step + 1]}/" if step + 1 < len(steps) else "review/"
            p.wait_for_url(f"**/assessments/{assessment.pk}/my-answers/{after}")
        p.wait_for_selector("text=Submit my answers")
        if name == "teammate":
            assert_accessible(p, "my set")
        p.click("button:has-text('Submit my answers')")
        p.wait_for_selector("text=Your answers are submitted")
    assert set(Respondent.objects.values_list("status", flat=True)) == {"submitted"}
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/agreement/")
    page.wait_for_selector("text=Krippendorff")
    assert page.locator("tr.table-warning").count() > 0  # third answered low: disagreements
    assert_accessible(page, "agreement")
    shot(page, "25-agreement")
    page.click("text=Reconcile the answers")
    page.wait_for_selector("text=Apply the reconciliation")
    assert_accessible(page, "reconcile")
    page.click("text=Apply the reconciliation")
    page.wait_for_selector("text=Nothing was reconciled")  # disagreements need a rationale
    for fieldset in page.locator("fieldset.border-warning").all():
        fieldset.locator("input[type=radio]").first.check()
        fieldset.locator("textarea[name$='_rationale']").fill("Two of three analysts agree.")
    shot(page, "26-reconcile")
    page.click("text=Apply the reconciliation")
    page.wait_for_selector("text=now the assessment's own")
    page.click("button:has-text('Submit')")
    page.wait_for_selector("text=Submitted for review")
    rev = page_for("reviewer")
    rev.goto(f"{live_server.url}/assessments/{assessment.pk}/agreement/")
    rev.wait_for_selector("text=Where the respondents agree")
    rev.goto(f"{live_server.url}/assessments/{assessment.pk}/review/")
    rev.click("button:has-text('Approve')")
    rev.wait_for_selector("text=Assessment approved")
    assert Assessment.objects.get(pk=assessment.pk).status == "approved"
    rev.goto(f"{live_server.url}/assessments/{assessment.pk}/results/")
    rev.wait_for_selector("text=Answered independently by 3 analysts")
    assert_accessible(rev, "results of an independent assessment")
    shot(rev, "27-results-independent")


def test_saving_the_page_while_autosaves_are_in_flight_is_not_a_conflict(
    page_for, live_server, assessment
):
    page = page_for("owner")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/step/intelligence/")
    multi = bank_spec(assessment.framework).question_by_code["INT-05"]
    boxes = page.locator(f"#question-{multi.id} input[type=checkbox]")
    for i in range(boxes.count()):
        boxes.nth(i).check()  # each tick starts an autosave
    page.click("button[value=next]")  # at once, while they are still running
    page.wait_for_url(f"**/assessments/{assessment.pk}/step/legal/")
    answer = Answer.objects.get(question_id=multi.id)
    assert answer.choices.count() == len(multi.choices)
