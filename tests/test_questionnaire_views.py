"""The questionnaire: saving, autosave, bad input, version conflicts, submit, review."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.answers import AnswerValue
from assessment.models import Answer, Assessment, StatusChange
from assessment.selectors import assessment_snapshot, bank_spec
from assessment.services import AnswerChange, answers_save
from frameworks.services import framework_import

from .factories import (
    AssessmentFactory,
    PartnershipFactory,
    answer_all,
    login,
    save_answers,
    small_bank_data,
)


def q(assessment, code):
    return bank_spec(assessment.framework).question_by_code[code]


def autosave(client, assessment, question, data, **headers):
    url = reverse("assessment:autosave", args=[assessment.pk, question.id])
    return client.post(url, {f"q{question.id}_{k}": v for k, v in data.items()}, **headers)


def step_url(assessment, code="intelligence"):
    return reverse("assessment:questionnaire_step", args=[assessment.pk, code])


def stored(assessment, question) -> Answer:
    return Answer.objects.get(assessment=assessment, question_id=question.id)


def test_page_renders_every_question_with_guidance_and_accessible_groups(client, assessment, owner):
    login(client, owner)
    page = client.get(step_url(assessment)).content.decode()
    for question in bank_spec(assessment.framework).dimension("intelligence").questions:
        assert question.code in page
        assert question.guidance[:40] in page
    assert "<fieldset" in page and "<legend" in page
    assert 'hx-post="' in page
    assert "Not applicable" in page  # INT-07 allows N/A
    assert 'role="progressbar"' in page


def test_questionnaire_pages_are_never_cached(client, assessment, owner):
    login(client, owner)
    response = client.get(step_url(assessment))
    assert "no-store" in response["Cache-Control"]


def test_page_save_stores_answers_and_goes_to_next_step(client, assessment, owner):
    login(client, owner)
    single, numeric = q(assessment, "INT-01"), q(assessment, "INT-04")
    choice = single.choices[-1]
    response = client.post(
        step_url(assessment),
        {
            f"q{single.id}_value": str(choice.id),
            f"q{single.id}_version": "0",
            f"q{single.id}_comment": "MoU signed 2021",
            f"q{single.id}_confidence": "high",
            f"q{numeric.id}_value": "6",
            f"q{numeric.id}_version": "0",
            "action": "next",
        },
    )
    assert response.status_code == 302
    assert response.url == step_url(assessment, "legal")
    answer = stored(assessment, single)
    assert answer.choice_id == choice.id
    assert (answer.comment, answer.confidence) == ("MoU signed 2021", "high")
    assert stored(assessment, numeric).number == 6


def test_multiple_choice_answers_keep_every_ticked_option(client, assessment, owner):
    login(client, owner)
    multi = q(assessment, "INT-05")
    ticked = [multi.choices[0].id, multi.choices[2].id]
    response = client.post(
        step_url(assessment),
        {f"q{multi.id}_value": [str(i) for i in ticked], f"q{multi.id}_version": "0"},
    )
    assert response.status_code == 302
    answer = stored(assessment, multi)
    assert sorted(answer.choices.values_list("pk", flat=True)) == sorted(ticked)
    assert answer.choice_id is None
    # The audit trail records the options of that version.
    record = answer.history.latest()
    assert sorted(record.choices.values_list("choice_id", flat=True)) == sorted(ticked)


def test_autosave_stores_one_answer_and_returns_the_new_version_and_progress(
    client, assessment, owner
):
    login(client, owner)
    question = q(assessment, "INT-09")
    response = autosave(client, assessment, question, {"value": "Typed text", "version": "0"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Saved at" in content
    assert f'id="q{question.id}_version" hx-swap-oob="true"' in content
    # The step list and both progress bars move with the save (out-of-band swaps).
    assert re.search(r'id="step-count-intelligence" hx-swap-oob="true">1/\d+', content)
    assert 'id="progress-overall"' in content and 'id="progress-dimension"' in content
    assert stored(assessment, question).text == "Typed text"
    again = autosave(client, assessment, question, {"value": "More text", "version": "1"})
    assert again.status_code == 200
    answer = stored(assessment, question)
    assert (answer.text, answer.version) == ("More text", 2)
    assert Answer.objects.filter(assessment=assessment, question_id=question.id).count() == 1


def test_repeated_identical_autosave_is_a_no_op(client, assessment, owner):
    login(client, owner)
    question = q(assessment, "INT-09")
    for _ in range(3):
        response = autosave(client, assessment, question, {"value": "Same", "version": "0"})
        assert response.status_code == 200
    assert stored(assessment, question).version == 1
    assert stored(assessment, question).history.count() == 1


def test_saving_an_unchanged_page_writes_nothing(client, assessment, owner):
    answer_all(assessment, owner)
    login(client, owner)
    page = client.get(step_url(assessment)).content.decode()
    form = dict(re.findall(r'name="(q\d+_version)" id="[^"]+" value="(\d+)"', page))
    bank = bank_spec(assessment.framework)
    data = {"action": "save", **form}
    for question in bank.dimension("intelligence").questions:
        value = assessment.answers.get(question_id=question.id)
        if question.kind == "multi":
            data[f"q{question.id}_value"] = [str(c.pk) for c in value.choices.all()]
        elif question.has_choices:
            data[f"q{question.id}_value"] = str(value.choice_id)
        elif question.kind == "numeric":
            data[f"q{question.id}_value"] = str(value.number)
        else:
            data[f"q{question.id}_value"] = value.text
    before = Answer.history.count()
    updated = Assessment.objects.get(pk=assessment.pk).updated_at
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(step_url(assessment), data)
    assert response.status_code == 302
    writes = [
        query["sql"]
        for query in ctx.captured_queries
        if query["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")
        and "django_session" not in query["sql"]
    ]
    assert writes == []
    assert Answer.history.count() == before
    assert Assessment.objects.get(pk=assessment.pk).updated_at == updated


def test_updating_a_page_of_different_answers_stores_each_exactly_with_its_history(
    assessment, owner, teammate
):
    """A page save writes all its changed answers in one UPDATE; every answer must get
    its own values, whatever the mix of kinds, values shared or not, and N/A."""
    answer_all(assessment, owner)
    bank = bank_spec(assessment.framework)
    questions = bank.dimension("intelligence").questions
    wanted = {}
    for i, question in enumerate(questions):
        comment = ["", "Shared comment", f"Own comment {i}"][i % 3]
        confidence = ["", "high", "low"][i % 3]
        if question.allow_na and i % 2:
            value = AnswerValue(is_na=True, comment=comment)
        elif question.kind == "multi":
            value = AnswerValue(choice_ids=frozenset([question.choices[0].id]), comment=comment)
        elif question.has_choices:
            value = AnswerValue(choice_ids=frozenset([question.choices[i % 2].id]))
        elif question.kind == "numeric":
            value = AnswerValue(number=question.min_value + i / 4, confidence=confidence)
        else:
            value = AnswerValue(text=f"Text {i}", comment=comment)
        wanted[question.id] = value
    before = assessment_snapshot(assessment).answers
    result = answers_save(
        assessment=assessment,
        user=teammate,
        changes=[AnswerChange(question, wanted[question.id], 1) for question in questions],
    )
    assert result.conflicts == {}
    after = assessment_snapshot(assessment).answers
    changed = [q for q in questions if before[q.id] != wanted[q.id]]
    assert len(changed) > len(questions) / 2
    for question in questions:
        assert after[question.id] == wanted[question.id], question.code
        answer = stored(assessment, question)
        assert answer.version == (2 if question in changed else 1), question.code
        if question in changed:
            latest = answer.history.latest()
            assert (latest.history_type, latest.history_user, latest.version) == ("~", teammate, 2)
            assert (latest.choice_id, latest.number, latest.text, latest.comment) == (
                answer.choice_id,
                answer.number,
                answer.text,
                answer.comment,
            )


def test_na_answer_keeps_its_comment_and_refuses_a_value_beside_it(client, assessment, owner):
    login(client, owner)
    question = q(assessment, "INT-07")
    both = autosave(
        client,
        assessment,
        question,
        {"value": str(question.choices[0].id), "na": "on", "comment": "No plots yet",
         "version": "0"},
    )  # fmt: skip
    assert both.status_code == 422
    assert b"Give an answer or tick N/A, not both." in both.content
    assert not Answer.objects.exists()
    response = autosave(
        client, assessment, question, {"na": "on", "comment": "No plots yet", "version": "0"}
    )
    assert response.status_code == 200
    answer = stored(assessment, question)
    assert answer.is_na and answer.choice_id is None and answer.comment == "No plots yet"


def bad_inputs(assessment):
    single, numeric = q(assessment, "INT-01"), q(assessment, "INT-04")
    no_na, text = q(assessment, "INT-02"), q(assessment, "INT-09")
    other_choice = q(assessment, "INT-03").choices[0]
    return [
        ("choice from another question", single, {"value": str(other_choice.id)}),
        ("two choices for a single-choice question", single,
         {"value": [str(c.id) for c in single.choices[:2]]}),
        ("numeric above range", numeric, {"value": "13"}),
        ("numeric below range", numeric, {"value": "-1"}),
        ("not a number", numeric, {"value": "twelve"}),
        ("infinity", numeric, {"value": "inf"}),
        ("not a number (nan)", numeric, {"value": "nan"}),
        ("overflowing exponent", numeric, {"value": "1e400"}),
        ("N/A where not allowed", no_na, {"na": "on"}),
        ("nonexistent choice", single, {"value": "99999999"}),
        ("confidence outside the scale", single, {"value": str(single.choices[0].id),
                                                  "confidence": "certain"}),
        ("confidence on an unscored question", text, {"value": "x", "confidence": "high"}),
        ("tampered version", single, {"value": str(single.choices[0].id), "version": "-3"}),
    ]  # fmt: skip


BAD_CASES = range(13)


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_autosave_input_is_refused_and_stores_nothing(client, assessment, owner, case):
    login(client, owner)
    label, question, data = bad_inputs(assessment)[case]
    response = autosave(client, assessment, question, {"version": "0", **data})
    assert response.status_code == 422, label
    assert b"Not saved" in response.content
    assert not Answer.objects.filter(assessment=assessment).exists()


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_page_input_shows_field_errors_keeps_typed_text_and_stores_nothing(
    client, assessment, owner, case
):
    login(client, owner)
    label, question, data = bad_inputs(assessment)[case]
    free_text = q(assessment, "INT-09")
    post = {f"q{question.id}_{k}": v for k, v in data.items()}
    post[f"q{free_text.id}_value"] = "Text typed elsewhere on the page"
    response = client.post(step_url(assessment, question.dimension), post)
    assert response.status_code == 400, label
    content = response.content.decode()
    assert "invalid-feedback" in content or "alert-danger" in content
    if question.dimension == "intelligence":
        assert "Text typed elsewhere on the page" in content
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_numeric_range_errors_print_whole_numbers_next_to_the_field(client, assessment, owner):
    login(client, owner)
    numeric = q(assessment, "INT-04")
    response = client.post(step_url(assessment), {f"q{numeric.id}_value": "13"})
    content = response.content.decode()
    error = re.search(rf'id="q{numeric.id}_error"[^>]*>([^<]*)<', content).group(1)
    assert error == "Enter a number of at most 12."
    assert "12.0" not in content
    # The typed value stays in the field.
    assert f'id="q{numeric.id}_value" value="13"' in content


def test_question_from_another_framework_is_404(client, assessment, owner, small_bank):
    login(client, owner)
    foreign = bank_spec(small_bank).questions[0]
    response = autosave(client, assessment, foreign, {"value": "1", "version": "0"})
    assert response.status_code == 404
    assert not Answer.objects.exists()


def test_stale_autosave_is_refused_with_409_and_the_newer_value_kept(
    client, assessment, owner, teammate
):
    question = q(assessment, "INT-09")
    login(client, teammate)
    autosave(client, assessment, question, {"value": "Teammate newer text", "version": "0"})
    login(client, owner)
    response = autosave(client, assessment, question, {"value": "Owner stale text", "version": "0"})
    assert response.status_code == 409
    assert "Teammate newer text" in response.content.decode()
    assert "teammate" in response.content.decode()
    assert stored(assessment, question).text == "Teammate newer text"
    # The same user in two tabs: "you", not their own name.
    login(client, teammate)
    own = autosave(client, assessment, question, {"value": "From the old tab", "version": "0"})
    assert own.status_code == 409
    assert "Not saved: you saved a newer answer at" in own.content.decode()
    assert "Your answer is still in the form" in own.content.decode()


def test_stale_page_save_is_409_shows_newer_value_and_saves_the_rest(
    client, assessment, owner, teammate
):
    text, single = q(assessment, "INT-09"), q(assessment, "INT-01")
    save_answers(assessment, teammate, {"INT-09": AnswerValue(text="Newer")})
    login(client, owner)
    post = {
        f"q{text.id}_value": "Mine, stale",
        f"q{text.id}_version": "0",
        f"q{single.id}_value": str(single.choices[0].id),
        f"q{single.id}_version": "0",
    }
    response = client.post(step_url(assessment), post)
    assert response.status_code == 409
    content = response.content.decode()
    assert "Newer" in content and "Mine, stale" in content
    assert stored(assessment, text).text == "Newer"
    assert stored(assessment, single).choice_id == single.choices[0].id
    # The page now carries the newer version, so saving again deliberately replaces it.
    assert f'name="q{text.id}_version" id="q{text.id}_version" value="1"' in content
    post.update({f"q{text.id}_version": "1", f"q{single.id}_version": "1"})
    response = client.post(step_url(assessment), post)
    assert response.status_code == 302
    assert stored(assessment, text).text == "Mine, stale"


def test_autosave_on_a_submitted_assessment_says_who_submitted_it(client, assessment, owner):
    answer_all(assessment, owner)
    login(client, owner)
    client.post(reverse("assessment:submit", args=[assessment.pk]))
    question = q(assessment, "INT-09")
    response = autosave(client, assessment, question, {"value": "Late text", "version": "1"})
    assert response.status_code == 403
    content = response.content.decode()
    assert "owner submitted this assessment" in content
    assert "Your text is still on this page" in content
    assert "<html" not in content  # a status line, not a page
    assert stored(assessment, question).text == "Evidence text."


def test_autosave_after_the_session_expired_is_a_401_status_line(client, assessment, owner):
    question = q(assessment, "INT-09")
    response = autosave(
        client, assessment, question, {"value": "x", "version": "0"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 401
    assert b"session has expired" in response.content
    assert b"<html" not in response.content
    # Without htmx, the login page as usual.
    plain = autosave(client, assessment, question, {"value": "x", "version": "0"})
    assert plain.status_code == 302 and plain.url.startswith(reverse("login"))


def test_autosave_with_a_stale_security_token_is_a_status_line(assessment, owner):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    login(client, owner)
    question = q(assessment, "INT-09")
    response = autosave(
        client, assessment, question, {"value": "x", "version": "0"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403
    assert b"security token is out of date" in response.content
    assert not Answer.objects.exists()


def test_submit_is_refused_while_required_answers_are_missing(client, assessment, owner):
    login(client, owner)
    response = client.post(reverse("assessment:submit", args=[assessment.pk]))
    assert response.status_code == 400
    assert b"required questions are unanswered" in response.content
    assert b"INT-01" in response.content
    assessment.refresh_from_db()
    assert assessment.status == "draft"


def test_one_missing_required_question_is_said_in_the_singular(client, assessment, owner):
    answer_all(assessment, owner)
    Answer.objects.filter(assessment=assessment, question__code="INT-01").delete()
    login(client, owner)
    response = client.post(reverse("assessment:submit", args=[assessment.pk]))
    content = response.content.decode()
    assert "1 required question is unanswered" in content
    assert "1 required questions" not in content


def test_submitting_twice_lands_on_the_review_page_with_a_message(client, assessment, owner):
    answer_all(assessment, owner)
    login(client, owner)
    url = reverse("assessment:submit", args=[assessment.pk])
    first = client.post(url)
    second = client.post(url, follow=True)
    assert first.status_code == 302
    assert second.status_code == 200
    assert b"Already submitted for review" in second.content
    assert StatusChange.objects.filter(assessment=assessment, to_status="submitted").count() == 1


def test_submitting_someone_elses_submitted_assessment_is_refused(
    client, assessment, owner, teammate
):
    answer_all(assessment, owner)
    login(client, owner)
    client.post(reverse("assessment:submit", args=[assessment.pk]))
    login(client, teammate)
    assert client.post(reverse("assessment:submit", args=[assessment.pk])).status_code == 403


def test_review_lists_missing_required_questions_with_links(client, assessment, owner):
    login(client, owner)
    response = client.get(reverse("assessment:review", args=[assessment.pk]))
    question = q(assessment, "LEG-01")
    assert f"{step_url(assessment, 'legal')}#question-{question.id}".encode() in response.content


def test_review_lists_low_confidence_answers(client, assessment, owner):
    single = q(assessment, "INT-01")
    save_answers(
        assessment,
        owner,
        {"INT-01": AnswerValue(frozenset([single.choices[0].id]), confidence="low")},
    )
    login(client, owner)
    content = client.get(reverse("assessment:review", args=[assessment.pk])).content.decode()
    assert "1 answer is given with low confidence" in content
    assert 'href="#review-INT-01"' in content


def test_a_second_decision_lands_on_the_review_page_and_says_who_decided(
    client, assessment, owner, reviewer, admin_user, teammate
):
    answer_all(assessment, owner)
    login(client, owner)
    client.post(reverse("assessment:submit", args=[assessment.pk]))
    url = reverse("assessment:decide", args=[assessment.pk])
    login(client, reviewer)
    assert client.post(url, {"decision": "approve"}).status_code == 302
    for user in (reviewer, admin_user):  # a second click, or another reviewer's tab
        login(client, user)
        again = client.post(url, {"decision": "return", "comment": "Late"}, follow=True)
        assert again.status_code == 200
        assert "Already approved by reviewer on" in again.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == "approved"
    assert StatusChange.objects.filter(assessment=assessment, to_status="approved").count() == 1
    assert not StatusChange.objects.filter(assessment=assessment, to_status="returned").exists()
    login(client, teammate)  # sees the assessment, but never reviews: still refused
    assert client.post(url, {"decision": "approve"}).status_code == 403


def test_a_return_comment_is_at_most_5000_characters(client, assessment, owner, reviewer):
    answer_all(assessment, owner)
    login(client, owner)
    client.post(reverse("assessment:submit", args=[assessment.pk]))
    login(client, reviewer)
    url = reverse("assessment:decide", args=[assessment.pk])
    refused = client.post(url, {"decision": "return", "comment": "x" * 5001})
    assert refused.status_code == 400
    assert "at most 5000 characters" in refused.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == "submitted"


def test_return_needs_a_comment_and_the_comment_heads_the_questionnaire(
    client, assessment, owner, reviewer
):
    answer_all(assessment, owner)
    login(client, owner)
    client.post(reverse("assessment:submit", args=[assessment.pk]))
    login(client, reviewer)
    url = reverse("assessment:decide", args=[assessment.pk])
    refused = client.post(url, {"decision": "return", "comment": ""})
    assert refused.status_code == 400
    assert b"Say what needs to change" in refused.content
    client.post(url, {"decision": "return", "comment": "Check LEG-02 evidence"})
    assessment.refresh_from_db()
    assert assessment.status == "returned"
    login(client, owner)
    page = client.get(reverse("assessment:questionnaire", args=[assessment.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Returned by reviewer" in content
    assert '<p class="mb-0 returned-comment">Check LEG-02 evidence</p>' in content
    changes = list(
        StatusChange.objects.filter(assessment=assessment).values_list("to_status", "by__username")
    )
    assert changes == [
        ("draft", "owner"),
        ("submitted", "owner"),
        ("returned", "reviewer"),
    ]


def test_every_input_has_a_label(client, assessment, owner):
    login(client, owner)
    page = client.get(step_url(assessment)).content.decode()
    assert 'href="#main"' in page
    assert 'aria-live="polite"' in page
    ids = re.findall(r'<(?:input|textarea|select)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', page)
    assert len(ids) > 20
    for element_id in ids:
        assert f'for="{element_id}"' in page, element_id


# --- query counts -------------------------------------------------------------


def make_assessment(owner, team, n):
    framework = framework_import(
        data=small_bank_data(slug=f"bank{n}", questions_per_dimension=n), source="t", publish=True
    )
    partnership = PartnershipFactory(team=team, created_by=owner)
    assessment = AssessmentFactory(partnership=partnership, framework=framework, owner=owner)
    answer_all(assessment, owner)
    return assessment


def count_queries(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def page_post(assessment, *, changed: bool) -> dict:
    data = {"action": "save"}
    for question in bank_spec(assessment.framework).dimension("d0").questions:
        choice = question.choices[0 if changed else -1]
        data[f"q{question.id}_value"] = str(choice.id)
        data[f"q{question.id}_version"] = "1"
    return data


def test_questionnaire_page_save_and_autosave_queries_do_not_grow_with_questions(
    client, owner, team
):
    login(client, owner)
    counts = {}
    for n in (10, 60):
        a = make_assessment(owner, team, n)
        url = reverse("assessment:questionnaire_step", args=[a.pk, "d0"])
        question = bank_spec(a.framework).questions[0]
        client.get(url)  # warm the per-process bank cache
        page = count_queries(lambda url=url: client.get(url))
        save = count_queries(
            lambda a=a, question=question: autosave(
                client, a, question, {"value": str(question.choices[0].id), "version": "1"}
            )
        )
        post = count_queries(lambda a=a, url=url: client.post(url, page_post(a, changed=True)))
        counts[n] = (page, save, post)
    # Also on SQLite: the bulk insert of history rows is one statement (assessment/apps.py).
    assert counts[10] == counts[60], counts
    page, save, post = counts[60]
    assert page <= 10
    assert save <= 13
    assert post <= 12


def test_dashboard_queries_do_not_grow_with_assessments(client, owner, team, small_bank):
    login(client, owner)
    partnership = PartnershipFactory(team=team, created_by=owner)

    def add(n):
        Assessment.objects.bulk_create(
            Assessment(partnership=partnership, framework=small_bank, owner=owner, marking="U")
            for _ in range(n)
        )
        for a in Assessment.objects.filter(answers__isnull=True).select_related("framework")[:3]:
            answer_all(a, owner)

    add(5)
    client.get("/")  # warm the per-process cache of published banks
    five = count_queries(lambda: client.get("/"))
    add(195)
    two_hundred = count_queries(lambda: client.get("/"))
    assert five == two_hundred
    assert two_hundred <= 12


def test_saving_a_page_of_an_assessment_submitted_meanwhile_keeps_what_was_typed(
    client, assessment, owner
):
    answer_all(assessment, owner)
    login(client, owner)
    client.post(reverse("assessment:submit", args=[assessment.pk]))
    text = q(assessment, "INT-09")
    response = client.post(
        step_url(assessment),
        {f"q{text.id}_value": "Typed in a stale tab", f"q{text.id}_version": "1"},
    )
    assert response.status_code == 403
    content = response.content.decode()
    assert "Not saved: This assessment is submitted and can no longer be edited." in content
    assert "Typed in a stale tab" in content
    assert stored(assessment, text).text == "Evidence text."
