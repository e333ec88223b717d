"""Roadmap on the results page, roadmap.json, `manage.py roadmap`, and what-if."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from assessment.answers import AnswerValue
from assessment.models import Answer, Assessment
from assessment.selectors import bank_spec
from frameworks.services import framework_import

from .factories import AssessmentFactory, answer_all, login, safeguard_bank_data, save_answers


@pytest.fixture
def weak(partnership, owner):
    """The safeguard bank, every Likert answer at level 2 (score 0.25)."""
    bank = framework_import(data=safeguard_bank_data(), source="t", publish=True)
    assessment = AssessmentFactory(partnership=partnership, owner=owner, framework=bank)
    spec = bank_spec(bank)
    save_answers(
        assessment,
        owner,
        {q.code: AnswerValue(frozenset([q.choices[1].id])) for q in spec.questions},
    )
    return assessment


def roadmap_json(client, assessment, **params):
    return client.get(reverse("assessment:roadmap_json", args=[assessment.pk]), params)


def test_results_page_shows_the_roadmap_to_the_declared_model_with_linked_steps(
    client, weak, owner
):
    login(client, owner)
    page = client.get(reverse("assessment:results", args=[weak.pk])).content.decode()
    assert "Roadmap to Bilateral" in page  # the partnership declares bilateral
    # Bilateral's condition is d1-000 >= 0.75: the first steps raise it.
    step_url = reverse("assessment:questionnaire_step", args=[weak.pk, "d1"])
    first = page.index("roadmap-table")
    assert page.index(f"{step_url}#question-", first) > first
    assert "meets a condition" in page
    assert "Bilateral comes within reach after step" in page
    # Each step names the dimension whose projected score it shows.
    table = page[first : page.index("</table>", first)]
    assert (
        "Its dimension" in table
        and '<span class="d-block small text-muted">Dimension d1</span>' in table
    )


def test_the_pdf_roadmap_shows_readiness_dimension_and_overall_after_each_step(client, weak, owner):
    login(client, owner)
    pdf = client.get(reverse("assessment:export_pdf", args=[weak.pk])).getvalue()
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]
    roadmap = next(p for p in pages if "Roadmap to Bilateral" in p).replace("‐ ", "")
    for heading in ("Readiness after", "Its dimension after", "Overall after"):
        assert heading in roadmap
    assert "Dimension d1" in roadmap.split("Overall after", 1)[1]


def test_the_model_picker_switches_the_roadmap(client, weak, owner):
    login(client, owner)
    page = client.get(reverse("assessment:results", args=[weak.pk]), {"roadmap": "informal"})
    assert "Roadmap to Informal" in page.content.decode()
    bad = client.get(reverse("assessment:results", args=[weak.pk]), {"roadmap": "nope"})
    assert bad.status_code == 400


def test_roadmap_json_matches_the_command(client, weak, owner, capsys):
    login(client, owner)
    response = roadmap_json(client, weak, model="multilateral", steps=4)
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["model"] == "multilateral" and len(data["steps"]) <= 4
    assert set(data["steps"][0]) == {
        "question", "dimension", "from", "to", "readiness", "dimension_score", "overall",
        "within_reach", "meets_conditions", "lifts_red_lines",
    }  # fmt: skip
    assert data["steps"][0]["from"] == "Disagree"  # level 2 of the Likert scale
    readiness = [data["start"]["readiness"]] + [s["readiness"] for s in data["steps"]]
    assert readiness == sorted(readiness)
    call_command("roadmap", str(weak.pk), "--model", "multilateral", "--steps", "4")
    assert json.loads(capsys.readouterr().out) == data


@pytest.mark.parametrize("params", [{"model": "nope"}, {"steps": "0"}, {"steps": "x"},
                                    {"steps": "31"}])  # fmt: skip
def test_bad_roadmap_parameters_are_a_clear_400(client, weak, owner, params):
    login(client, owner)
    response = roadmap_json(client, weak, **params)
    assert response.status_code == 400
    assert "error" in json.loads(response.content)


def test_roadmap_command_refuses_unknown_models_and_assessments(weak):
    with pytest.raises(CommandError, match="Unknown model 'nope'"):
        call_command("roadmap", str(weak.pk), "--model", "nope")
    with pytest.raises(CommandError, match="No assessment"):
        call_command("roadmap", "999999")


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 200), ("teammate", 200), ("reviewer", 200), ("admin", 200), ("outsider", 404)],
)
def test_roadmap_json_and_what_if_follow_the_results_access(client, weak, users, who, expected):
    login(client, users[who])
    assert roadmap_json(client, weak).status_code == expected
    response = client.post(reverse("assessment:what_if", args=[weak.pk]), {})
    assert response.status_code == expected


def test_anonymous_is_sent_to_login_for_roadmap_and_what_if(client, weak):
    assert roadmap_json(client, weak).status_code == 302
    assert client.post(reverse("assessment:what_if", args=[weak.pk]), {}).status_code == 302


def test_what_if_projects_changed_answers_and_stores_nothing(client, weak, owner):
    spec = bank_spec(weak.framework)
    form = {f"w{q.id}": str(q.choices[1].id) for q in spec.questions}
    top = spec.question_by_code["d0-000"]
    form[f"w{top.id}"] = str(top.choices[4].id)
    login(client, owner)
    answers_before = list(Answer.objects.values_list("pk", "choice_id", "version", "updated_at"))
    history_before = Answer.history.count()
    assessment_before = Assessment.objects.values_list("updated_at", flat=True).get(pk=weak.pk)
    response = client.post(
        reverse("assessment:what_if", args=[weak.pk]), form, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    context = response.context
    assert context["changed"] == 1
    # d0: d0-000 at 1.0 and d0-001 at 0.25 -> 62.5 (the red line on d0-000 is lifted).
    assert context["projected"].dimension("d0").score == 62.5
    assert context["snapshot"].score.dimension("d0").score == 25.0
    content = response.content.decode()
    assert "Nothing is saved" in content
    # "Now" marks the cap as "What-if" does (capped now, lifted in the projection).
    now_capped = '<td class="score-cell">25.0 <span class="small text-danger">(capped)</span></td>'
    assert now_capped in content
    assert list(Answer.objects.values_list("pk", "choice_id", "version", "updated_at")) == (
        answers_before
    )
    assert Answer.history.count() == history_before
    assert Assessment.objects.values_list("updated_at", flat=True).get(pk=weak.pk) == (
        assessment_before
    )


def test_what_if_refuses_values_that_are_not_answers(client, weak, owner):
    spec = bank_spec(weak.framework)
    question = spec.questions[0]
    login(client, owner)
    response = client.post(
        reverse("assessment:what_if", args=[weak.pk]), {f"w{question.id}": "999999"}
    )
    assert response.status_code == 422
    assert question.code in response.content.decode()


def test_what_if_works_on_approved_assessments_too(client, assessment, owner):
    answer_all(assessment, owner)
    Assessment.objects.filter(pk=assessment.pk).update(status="approved")
    login(client, owner)
    page = client.get(reverse("assessment:results", args=[assessment.pk])).content.decode()
    assert 'hx-post="' + reverse("assessment:what_if", args=[assessment.pk]) in page
    response = client.post(reverse("assessment:what_if", args=[assessment.pk]), {})
    assert response.status_code == 200
    assert response.context["projected"].overall is None  # every answer removed


def test_what_if_counts_only_answers_whose_value_changed(client, weak, owner):
    spec = bank_spec(weak.framework)
    first = spec.questions[0]
    # A comment and a confidence on an answer change no number.
    save_answers(
        weak, owner,
        {first.code: AnswerValue(frozenset([first.choices[1].id]), comment="why",
                                 confidence="low")},
    )  # fmt: skip
    form = {f"w{q.id}": str(q.choices[1].id) for q in spec.questions}
    login(client, owner)
    response = client.post(
        reverse("assessment:what_if", args=[weak.pk]), form, HTTP_HX_REQUEST="true"
    )
    assert response.context["changed"] == 0
    assert "Projection with 0 answers changed" in response.content.decode()


def test_what_if_without_javascript_shows_the_whole_results_page_with_the_projection(
    client, weak, owner
):
    spec = bank_spec(weak.framework)
    form = {f"w{q.id}": str(q.choices[4].id) for q in spec.questions}
    login(client, owner)
    response = client.post(reverse("assessment:what_if", args=[weak.pk]), form)
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" in content and "Roadmap to" in content
    assert "Projection with 4 answers changed" in content
    # The form shows the hypothetical answers, not the real ones.
    assert f'<option value="{spec.questions[0].choices[4].id}" selected>' in content


def test_what_if_says_which_values_cannot_be_projected(client, assessment, owner):
    numeric = bank_spec(assessment.framework).question_by_code["INT-04"]
    login(client, owner)
    response = client.post(
        reverse("assessment:what_if", args=[assessment.pk]),
        {f"w{numeric.id}": "150"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert "INT-04: Enter a number of at most 12." in response.content.decode()
