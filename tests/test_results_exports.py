"""Results page, comparison, trend, JSON/CSV exports and the score command."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.models import Assessment, Partnership

from .conftest import answer_all, login
from .test_questionnaire_views import make_assessment


@pytest.fixture
def answered(assessment, owner):
    answer_all(assessment, owner)
    return assessment


def test_all_top_answers_score_100_and_integrated(client, answered, owner):
    login(client, owner)
    data = client.get(reverse("assessment:export_json", args=[answered.pk])).json()
    assert data["overall"] == pytest.approx(100.0)
    assert data["maturity"] == "Integrated"
    assert set(data["dimensions"]) == {"intelligence", "legal", "interoperability", "trust"}
    # Bilateral targets 75/70/60/80: gaps 25/30/40/20,
    # distance = sqrt((625 + 900 + 1600 + 400) / 4).
    bilateral = data["models"]["bilateral"]
    assert bilateral["gaps"] == pytest.approx(
        {"intelligence": 25, "legal": 30, "interoperability": 40, "trust": 20}
    )
    assert bilateral["distance"] == pytest.approx((3525 / 4) ** 0.5)
    assert data["best_fit"] == "multilateral"  # gaps 35/15/15/40: the smallest RMS
    assert data["framework"] == {"slug": "ct-cooperation", "version": 1}
    assert len(data["answers"]) == answered.framework.questions.count()


def test_json_export_keeps_full_precision(client, assessment, owner):
    # One Likert answer of 4 in a dimension where everything else is unanswered.
    from assessment.services import AnswerInput, answer_save

    q = assessment.framework.questions.get(code="TRU-01")
    answer_save(
        assessment=assessment,
        question=q,
        user=owner,
        value=AnswerInput(choice_ids=frozenset([q.choices.get(label="Agree").pk])),
        base_version=0,
    )
    q2 = assessment.framework.questions.get(code="TRU-02")
    answer_save(
        assessment=assessment,
        question=q2,
        user=owner,
        value=AnswerInput(choice_ids=frozenset([q2.choices.get(label="Rarely").pk])),
        base_version=0,
    )
    login(client, owner)
    data = client.get(reverse("assessment:export_json", args=[assessment.pk])).json()
    # TRU-01 weight 2 at 0.75, TRU-02 weight 1 at 2/3: (1.5 + 0.6667) / 3 * 100
    assert data["dimensions"]["trust"]["score"] == pytest.approx(100 * (1.5 + 2 / 3) / 3)
    assert data["dimensions"]["trust"]["score"] != round(data["dimensions"]["trust"]["score"], 2)
    assert data["dimensions"]["legal"]["score"] is None
    assert data["overall"] == data["dimensions"]["trust"]["score"]


def test_score_command_prints_the_same_json(client, answered, owner, capsys):
    login(client, owner)
    via_web = client.get(reverse("assessment:export_json", args=[answered.pk])).json()
    call_command("score_assessment", str(answered.pk))
    assert json.loads(capsys.readouterr().out) == via_web


def test_results_page_shows_scores_chart_models_and_declared_vs_best(client, answered, owner):
    login(client, owner)
    page = client.get(reverse("assessment:results", args=[answered.pk])).content.decode()
    assert "<svg" in page and "<title" in page and "<desc" in page
    for name in ("Bilateral agreement", "Multilateral alliance", "Informal network"):
        assert name in page
    assert "Declared as bilateral agreement, but its profile is closest to multilateral" in page
    assert "best-fit" in page
    assert "Provisional results" in page  # still a draft


def test_recommendations_link_to_their_questions(client, assessment, owner):
    answer_all(assessment, owner, pick=lambda choices: choices[0], number=0)
    login(client, owner)
    page = client.get(reverse("assessment:results", args=[assessment.pk])).content.decode()
    assert "Put intelligence sharing on a written footing" in page
    assert f"/assessments/{assessment.pk}/review/#review-" in page


def test_answers_and_scores_csv(client, answered, owner):
    login(client, owner)
    response = client.get(reverse("assessment:export_answers_csv", args=[answered.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {r["question"] for r in rows} >= {"INT-01", "TRU-09"}
    scores = client.get(reverse("assessment:export_scores_csv", args=[answered.pk]))
    rows = list(csv.DictReader(io.StringIO(scores.content.decode())))
    assert rows[-1]["dimension"] == "overall"
    assert float(rows[-1]["score"]) == pytest.approx(100.0)


def test_csv_cells_cannot_start_formulas(client, answered, owner):
    answered.answers.filter(question__code="INT-09").update(text="=HYPERLINK(1)")
    login(client, owner)
    content = client.get(
        reverse("assessment:export_answers_csv", args=[answered.pk])
    ).content.decode()
    assert "'=HYPERLINK(1)" in content


def test_dashboard_csv_follows_the_filters(client, answered, owner, team, bank):
    other = Partnership.objects.create(
        name="Other", countries="A, B", declared_model="informal", team=team, created_by=owner
    )
    Assessment.objects.create(partnership=other, framework=bank, owner=owner, marking="U")
    login(client, owner)
    content = client.get(
        reverse("assessment:dashboard_csv"), {"partnership": answered.partnership_id}
    ).content.decode()
    assert "Sahel Partnership" in content and "Other" not in content


def test_compare_two_assessments_shows_deltas(client, answered, owner, partnership, bank):
    second = Assessment.objects.create(
        partnership=partnership, framework=bank, owner=owner, marking="U"
    )
    answer_all(second, owner, pick=lambda choices: choices[0], number=0)
    login(client, owner)
    response = client.get(reverse("assessment:compare"), {"ids": [answered.pk, second.pk]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "(-" in page  # the second is below the first
    assert page.count("<polygon") >= 7


def test_compare_needs_two_and_the_same_bank(client, answered, owner, team, small_bank):
    login(client, owner)
    assert client.get(reverse("assessment:compare"), {"ids": [answered.pk]}).status_code == 400
    other = make_assessment(owner, team, 3)
    response = client.get(reverse("assessment:compare"), {"ids": [answered.pk, other.pk]})
    assert response.status_code == 400
    assert b"same question bank" in response.content


def test_trend_lists_a_partnerships_assessments(client, answered, owner):
    login(client, owner)
    page = client.get(reverse("assessment:trend", args=[answered.partnership_id]))
    assert page.status_code == 200
    assert b"100.0" in page.content
    assert b"Multilateral alliance" in page.content  # the best fit by name, not code


def test_results_page_queries_do_not_grow_with_questions(client, owner, team):
    login(client, owner)
    counts = []
    for n in (10, 60):
        a = make_assessment(owner, team, n)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("assessment:results", args=[a.pk])).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
