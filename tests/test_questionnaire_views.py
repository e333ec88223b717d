"""The questionnaire: saving, autosave, bad input, version conflicts, submit, review."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.models import Answer, Assessment, StatusChange
from assessment.services import AnswerInput, answer_save
from frameworks.services import framework_import

from .conftest import PartnershipFactory, answer_all, login, small_bank_data


def q(assessment, code):
    return assessment.framework.questions.prefetch_related("choices").get(code=code)


def autosave(client, assessment, question, data):
    url = reverse("assessment:autosave", args=[assessment.pk, question.pk])
    return client.post(url, {f"q{question.pk}_{k}": v for k, v in data.items()})


def step_url(assessment, code="intelligence"):
    return reverse("assessment:questionnaire_step", args=[assessment.pk, code])


def test_page_renders_every_question_with_guidance_and_accessible_groups(client, assessment, owner):
    login(client, owner)
    page = client.get(step_url(assessment)).content.decode()
    intelligence = assessment.framework.questions.filter(dimension__code="intelligence")
    for question in intelligence:
        assert question.code in page
        assert question.guidance[:40] in page
    assert "<fieldset" in page and "<legend" in page
    assert 'hx-post="' in page
    assert "Not applicable" in page  # INT-07 allows N/A
    assert 'role="progressbar"' in page


def test_page_save_stores_answers_and_goes_to_next_step(client, assessment, owner):
    login(client, owner)
    single, numeric = q(assessment, "INT-01"), q(assessment, "INT-04")
    choice = single.choices.last()
    response = client.post(
        step_url(assessment),
        {
            f"q{single.pk}_value": str(choice.pk),
            f"q{single.pk}_version": "0",
            f"q{single.pk}_comment": "MoU signed 2021",
            f"q{numeric.pk}_value": "6",
            f"q{numeric.pk}_version": "0",
            "action": "next",
        },
    )
    assert response.status_code == 302
    assert response.url == step_url(assessment, "legal")
    answer = Answer.objects.get(assessment=assessment, question=single)
    assert list(answer.choices.all()) == [choice]
    assert answer.comment == "MoU signed 2021"
    assert Answer.objects.get(assessment=assessment, question=numeric).number == 6


def test_autosave_stores_one_answer_and_returns_the_new_version(client, assessment, owner):
    login(client, owner)
    question = q(assessment, "INT-09")
    response = autosave(client, assessment, question, {"value": "Typed text", "version": "0"})
    assert response.status_code == 200
    assert b"Saved at" in response.content
    assert b'hx-swap-oob="true"' in response.content
    assert Answer.objects.get(assessment=assessment, question=question).text == "Typed text"
    again = autosave(client, assessment, question, {"value": "More text", "version": "1"})
    assert again.status_code == 200
    answer = Answer.objects.get(assessment=assessment, question=question)
    assert (answer.text, answer.version) == ("More text", 2)
    assert Answer.objects.filter(assessment=assessment, question=question).count() == 1


def test_repeated_identical_autosave_is_a_no_op(client, assessment, owner):
    login(client, owner)
    question = q(assessment, "INT-09")
    for _ in range(3):
        assert autosave(client, assessment, question, {"value": "Same", "version": "0"}).status_code
    answer = Answer.objects.get(assessment=assessment, question=question)
    assert answer.version == 1


def test_na_answer_clears_the_value_and_keeps_the_comment(client, assessment, owner):
    login(client, owner)
    question = q(assessment, "INT-07")
    response = autosave(
        client,
        assessment,
        question,
        {
            "value": str(question.choices.first().pk),
            "na": "on",
            "comment": "No plots yet",
            "version": "0",
        },
    )
    assert response.status_code == 200
    answer = Answer.objects.get(assessment=assessment, question=question)
    assert answer.is_na and not answer.choices.exists() and answer.comment == "No plots yet"


def bad_inputs(assessment):
    single, numeric = q(assessment, "INT-01"), q(assessment, "INT-04")
    no_na = q(assessment, "INT-02")
    other_choice = q(assessment, "INT-03").choices.first()
    return [
        ("choice from another question", single, {"value": str(other_choice.pk)}),
        ("numeric above range", numeric, {"value": "13"}),
        ("numeric below range", numeric, {"value": "-1"}),
        ("not a number", numeric, {"value": "twelve"}),
        ("N/A where not allowed", no_na, {"na": "on"}),
        ("nonexistent choice", single, {"value": "99999999"}),
    ]


@pytest.mark.parametrize("case", range(6))
def test_bad_autosave_input_is_refused_and_stores_nothing(client, assessment, owner, case):
    login(client, owner)
    label, question, data = bad_inputs(assessment)[case]
    response = autosave(client, assessment, question, {**data, "version": "0"})
    assert response.status_code == 422, label
    assert b"Not saved" in response.content
    assert not Answer.objects.filter(assessment=assessment).exists()


@pytest.mark.parametrize("case", range(6))
def test_bad_page_input_shows_field_errors_keeps_typed_text_and_stores_nothing(
    client, assessment, owner, case
):
    login(client, owner)
    label, question, data = bad_inputs(assessment)[case]
    free_text = q(assessment, "INT-09")
    dimension = question.dimension.code
    post = {f"q{question.pk}_{k}": v for k, v in data.items()}
    post[f"q{free_text.pk}_value"] = "Text typed elsewhere on the page"
    response = client.post(step_url(assessment, dimension), post)
    assert response.status_code == 400, label
    content = response.content.decode()
    assert "invalid-feedback" in content or "alert-danger" in content
    if dimension == "intelligence":
        assert "Text typed elsewhere on the page" in content
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_question_from_another_framework_is_404(client, assessment, owner, small_bank):
    login(client, owner)
    foreign = small_bank.questions.first()
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
    assert Answer.objects.get(question=question, assessment=assessment).text == (
        "Teammate newer text"
    )


def test_stale_page_save_is_409_shows_newer_value_and_saves_the_rest(
    client, assessment, owner, teammate
):
    text, single = q(assessment, "INT-09"), q(assessment, "INT-01")
    answer_save(
        assessment=assessment,
        question=text,
        user=teammate,
        value=AnswerInput(text="Newer"),
        base_version=0,
    )
    login(client, owner)
    response = client.post(
        step_url(assessment),
        {
            f"q{text.pk}_value": "Mine, stale",
            f"q{text.pk}_version": "0",
            f"q{single.pk}_value": str(single.choices.first().pk),
            f"q{single.pk}_version": "0",
        },
    )
    assert response.status_code == 409
    content = response.content.decode()
    assert "Newer" in content and "Mine, stale" in content
    assert Answer.objects.get(question=text).text == "Newer"
    assert Answer.objects.filter(question=single).exists()
    # Saving again from that page deliberately replaces the newer answer.
    response = client.post(
        step_url(assessment),
        {
            f"q{text.pk}_value": "Mine, stale",
            f"q{text.pk}_version": "1",
            f"q{single.pk}_value": str(single.choices.first().pk),
            f"q{single.pk}_version": "1",
        },
    )
    assert response.status_code == 302
    assert Answer.objects.get(question=text).text == "Mine, stale"


def test_submit_is_refused_while_required_answers_are_missing(client, assessment, owner):
    login(client, owner)
    response = client.post(reverse("assessment:submit", args=[assessment.pk]))
    assert response.status_code == 400
    assert b"required questions are unanswered" in response.content
    assert b"INT-01" in response.content
    assessment.refresh_from_db()
    assert assessment.status == "draft"


def test_review_lists_missing_required_questions_with_links(client, assessment, owner):
    login(client, owner)
    response = client.get(reverse("assessment:review", args=[assessment.pk]))
    question = q(assessment, "LEG-01")
    assert f"{step_url(assessment, 'legal')}#question-{question.pk}".encode() in response.content


def test_return_needs_a_comment_and_goes_back_to_editable(client, assessment, owner, reviewer):
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
    assert client.get(reverse("assessment:questionnaire", args=[assessment.pk])).status_code == 200
    history = client.get(reverse("assessment:review", args=[assessment.pk])).content.decode()
    assert "Check LEG-02 evidence" in history
    changes = list(
        StatusChange.objects.filter(assessment=assessment).values_list("to_status", "by__username")
    )
    assert changes == [("submitted", "owner"), ("returned", "reviewer")]


def test_keyboard_and_screen_reader_basics(client, assessment, owner):
    login(client, owner)
    page = client.get(step_url(assessment)).content.decode()
    assert 'href="#main"' in page
    assert 'aria-live="polite"' in page
    # every visible input has a label
    import re

    ids = re.findall(r'<(?:input|textarea|select)[^>]*\bid="(id_q[^"]+)"', page)
    hidden = set(re.findall(r'type="hidden"[^>]*id="([^"]+)"', page))
    for element_id in ids:
        if element_id in hidden:
            continue
        assert f'for="{element_id}"' in page, element_id


# --- query counts -------------------------------------------------------------


def make_assessment(owner, team, n):
    framework = framework_import(
        data=small_bank_data(slug=f"bank{n}", questions_per_dimension=n), source="t", publish=True
    )
    partnership = PartnershipFactory(team=team, created_by=owner)
    assessment = Assessment.objects.create(
        partnership=partnership, framework=framework, owner=owner, marking="U"
    )
    answer_all(assessment, owner)
    return assessment


def count_queries(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def test_questionnaire_page_and_autosave_queries_do_not_grow_with_questions(
    client, owner, team, django_assert_max_num_queries
):
    login(client, owner)
    counts = {}
    for n in (10, 60):
        a = make_assessment(owner, team, n)
        url = reverse("assessment:questionnaire_step", args=[a.pk, "d0"])
        question = a.framework.questions.first()
        page = count_queries(lambda url=url: client.get(url))
        save = count_queries(
            lambda a=a, question=question: autosave(
                client, a, question, {"value": str(question.choices.first().pk), "version": "1"}
            )
        )
        counts[n] = (page, save)
    assert counts[10] == counts[60]
    with django_assert_max_num_queries(20):
        client.get(url)


def test_dashboard_queries_do_not_grow_with_assessments(client, owner, team, small_bank):
    login(client, owner)
    partnership = PartnershipFactory(team=team, created_by=owner)

    def add(n):
        Assessment.objects.bulk_create(
            Assessment(partnership=partnership, framework=small_bank, owner=owner, marking="U")
            for _ in range(n)
        )
        for a in Assessment.objects.filter(answers__isnull=True)[:3]:
            answer_all(a, owner)

    add(5)
    client.get("/")  # warm the per-process cache of published banks
    five = count_queries(lambda: client.get("/"))
    add(195)
    two_hundred = count_queries(lambda: client.get("/"))
    assert five == two_hundred
    assert two_hundred <= 20
