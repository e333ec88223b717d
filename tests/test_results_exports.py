"""Results page, comparison, trend, JSON/CSV exports and the score command."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from assessment.answers import AnswerValue
from assessment.models import Assessment, Partnership
from assessment.reports.context import condition_phrase
from assessment.selectors import assessment_snapshot, bank_spec
from frameworks.services import framework_import

from .factories import (
    AssessmentFactory,
    PartnershipFactory,
    answer_all,
    login,
    safeguard_bank_data,
    save_answers,
    small_bank_data,
)


@pytest.fixture
def answered(assessment, owner):
    answer_all(assessment, owner)
    return assessment


@pytest.fixture
def safeguard_assessment(partnership, owner):
    bank = framework_import(data=safeguard_bank_data(), source="t", publish=True)
    return AssessmentFactory(partnership=partnership, owner=owner, framework=bank)


def likert(assessment, owner, levels: dict):
    """Answer Likert questions by code with levels 1..5."""
    bank = bank_spec(assessment.framework)
    save_answers(
        assessment,
        owner,
        {
            code: AnswerValue(frozenset([bank.question_by_code[code].choices[level - 1].id]))
            for code, level in levels.items()
        },
    )


def csv_rows(response) -> list[list[str]]:
    content = response.getvalue()
    assert content.startswith("\ufeff".encode()), "no byte-order mark for Excel"
    assert 'filename="RESTRICTED-' in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_all_top_answers_make_every_model_ready(client, answered, owner):
    login(client, owner)
    data = json.loads(client.get(reverse("assessment:export_json", args=[answered.pk])).getvalue())
    assert data["schema_version"] == 2
    assert data["overall"] == 100.0
    assert data["coverage"] == 1.0
    assert (data["maturity"], data["provisional"]) == ("Integrated", False)
    assert list(data["dimensions"]) == ["intelligence", "legal", "interoperability", "trust"]
    bilateral = data["models"]["bilateral"]
    # Scoring above a target is no shortfall: 100 against 75/70/60/80.
    assert bilateral["shortfalls"] == {
        "intelligence": 0.0, "legal": 0.0, "interoperability": 0.0, "trust": 0.0
    }  # fmt: skip
    assert bilateral["readiness"] == 100.0
    assert bilateral["demand"] == pytest.approx((75 + 70 + 60 + 80) / 4)
    assert bilateral["within_reach"] is True
    # Most demanding first: multilateral 73.75, bilateral 71.25, informal 52.5.
    assert data["supported_models"] == ["multilateral", "bilateral", "informal"]
    assert data["closest_model"] == "multilateral"
    assert data["red_lines"] == []
    assert data["framework"]["slug"] == "ct-cooperation" and data["framework"]["version"] == 1
    assert len(data["answers"]) == answered.framework.questions.count()
    assert data["dimensions"]["legal"]["confidence"] == {
        "high": 0.0, "medium": 0.0, "low": 0.0, "unrated": 1.0
    }  # fmt: skip


def test_json_export_keeps_full_precision(client, assessment, owner):
    bank = bank_spec(assessment.framework)
    tru1, tru2 = bank.question_by_code["TRU-01"], bank.question_by_code["TRU-02"]
    agree = next(c for c in tru1.choices if c.label == "Agree")
    rarely = next(c for c in tru2.choices if c.label == "Rarely")
    save_answers(
        assessment,
        owner,
        {
            "TRU-01": AnswerValue(frozenset([agree.id]), confidence="high"),
            "TRU-02": AnswerValue(frozenset([rarely.id])),
        },
    )
    login(client, owner)
    data = json.loads(
        client.get(reverse("assessment:export_json", args=[assessment.pk])).getvalue()
    )
    # TRU-01 weight 2 at 0.75, TRU-02 weight 1 at 2/3: (1.5 + 0.6667) / 3 * 100
    trust = data["dimensions"]["trust"]
    assert trust["score"] == pytest.approx(100 * (1.5 + 2 / 3) / 3)
    assert trust["score"] != round(trust["score"], 2)
    assert trust["confidence"]["high"] == pytest.approx(2 / 3)
    assert data["dimensions"]["legal"]["score"] is None
    assert data["models"]["bilateral"]["shortfalls"]["legal"] is None
    assert data["overall"] == trust["score"]
    assert data["provisional"] is True and data["maturity"] is None
    answers = {a["question"]: a for a in data["answers"]}
    assert answers["TRU-01"]["confidence"] == "high" and answers["TRU-02"]["confidence"] is None


def test_score_command_prints_the_same_json(client, answered, owner, capsys):
    login(client, owner)
    via_web = json.loads(
        client.get(reverse("assessment:export_json", args=[answered.pk])).getvalue()
    )
    call_command("score_assessment", str(answered.pk))
    assert json.loads(capsys.readouterr().out) == via_web


def test_results_page_answers_which_models_the_partnership_can_sustain(client, answered, owner):
    login(client, owner)
    page = client.get(reverse("assessment:results", args=[answered.pk])).content.decode()
    assert "<svg" in page and "<title" in page and "<desc" in page
    for name in ("Bilateral agreement", "Multilateral alliance", "Informal network"):
        assert name in page
    assert "Which models can this partnership sustain now?" in page
    assert "Within reach now: Multilateral alliance, Bilateral agreement, Informal network" in page
    assert "Declared model: Bilateral agreement, readiness 100.0 of 90 needed." in page
    assert "Draft: results may change (100% of the scored, applicable question weight" in page


def test_a_crossed_red_line_under_which_the_score_already_lies_is_not_called_a_cap(
    client, safeguard_assessment, owner
):
    # d0-000 at level 2 (s=0.25) crosses the red line (below 0.5); d0-001 at 1: raw 12.5,
    # under the cap of 30, so the score is its own.
    likert(safeguard_assessment, owner, {"d0-000": 2, "d0-001": 1, "d1-000": 4, "d1-001": 5})
    login(client, owner)
    page = client.get(reverse("assessment:results", args=[safeguard_assessment.pk])).content
    page = page.decode()
    assert "Dimension d0 already scores 12.5, under the cap of 30.0." in page
    assert "red line d0-000 crossed; already under its cap" in page
    assert "capped at" not in page and "capped by" not in page
    from assessment.reports.summary import red_line_sentences
    from assessment.selectors import assessment_snapshot

    [(sentence, _reason)] = red_line_sentences(assessment_snapshot(safeguard_assessment))
    assert sentence.endswith("Dimension d0 already scores 12.5, under the cap of 30.0.")


def test_crossed_red_line_is_shown_first_and_caps_its_dimension(
    client, safeguard_assessment, owner
):
    # d0-000 at level 1 (s=0) crosses the red line; d0-001 at 5: raw 50, capped at 30.
    likert(safeguard_assessment, owner, {"d0-000": 1, "d0-001": 5, "d1-000": 4, "d1-001": 5})
    login(client, owner)
    page = client.get(reverse("assessment:results", args=[safeguard_assessment.pk])).content
    page = page.decode()
    red = page.index("1 red line crossed")
    assert red < page.index("Overall score")
    assert "Dimension d0 is capped at 30.0 (uncapped 50.0). Safeguard missing (HRDDP)." in page
    assert "capped by d0-000 (uncapped 50.0)" in page
    assert page.index('href="#red-lines-title">1 red line crossed</a>') > page.index("Overall")
    pdf = client.get(reverse("assessment:export_pdf", args=[safeguard_assessment.pk])).getvalue()
    summary = " ".join(PdfReader(io.BytesIO(pdf)).pages[1].extract_text().split())
    assert "maturity, with 1 red line crossed" in summary
    data = json.loads(
        client.get(reverse("assessment:export_json", args=[safeguard_assessment.pk])).getvalue()
    )
    assert data["dimensions"]["d0"] | {"confidence": None} == {
        "name": "Dimension d0", "raw_score": 50.0, "score": 30.0, "capped_by": ["d0-000"],
        "coverage": 1.0, "maturity": "Low", "confidence": None,
    }  # fmt: skip
    assert data["red_lines"] == [
        {"question": "d0-000", "dimension": "d0", "below": 0.5, "cap": 30.0,
         "reason": "Safeguard missing (HRDDP).", "triggered": True}
    ]  # fmt: skip
    # bilateral: d1-000 at 0.75 meets its condition; multilateral: d1-001 at 1.0 meets it.
    assert [c["status"] for c in data["models"]["bilateral"]["conditions"]] == ["met"]
    assert [c["status"] for c in data["models"]["multilateral"]["conditions"]] == ["met"]


def test_unmet_and_unknown_conditions_are_named_with_why(client, safeguard_assessment, owner):
    likert(safeguard_assessment, owner, {"d0-000": 5, "d0-001": 5, "d1-000": 2})
    login(client, owner)
    page = client.get(reverse("assessment:results", args=[safeguard_assessment.pk])).content
    page = page.decode()
    assert "Condition not met: d1-000 needs at least “Agree” (now “Disagree”)." in page
    snapshot = assessment_snapshot(safeguard_assessment)
    [unknown] = snapshot.score.model("multilateral").unmet_conditions
    assert (
        condition_phrase(snapshot, unknown) == "d1-001 needs at least “Strongly agree” (unanswered)"
    )
    assert "A written agreement." in page
    assert "unknown (unanswered)" in page  # multilateral's d1-001


def test_provisional_results_claim_no_maturity_level(client, assessment, owner):
    likert_question = bank_spec(assessment.framework).question_by_code["TRU-01"]
    save_answers(
        assessment, owner, {"TRU-01": AnswerValue(frozenset([likert_question.choices[-1].id]))}
    )
    login(client, owner)
    page = client.get(reverse("assessment:results", args=[assessment.pk])).content.decode()
    assert "provisional" in page
    assert "No maturity level: too little answered" in page
    assert "Integrated" not in page
    assert "so no model is said to be within reach" in page
    assert "Within reach now" not in page
    dashboard = client.get("/").content.decode()
    assert "100.0" in dashboard and "provisional" in dashboard and "Integrated" not in dashboard
    pdf = client.get(reverse("assessment:export_pdf", args=[assessment.pk])).getvalue()
    cover = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "DRAFT - provisional results, not approved" in " ".join(cover.split())


def test_recommendations_come_from_the_bank(client, assessment, owner):
    answer_all(assessment, owner, pick=lambda choices: choices[0], number=0)
    login(client, owner)
    page = client.get(reverse("assessment:results", args=[assessment.pk])).content.decode()
    assert "Put intelligence sharing on a written footing" in page


def test_answers_and_scores_csv_open_cleanly_in_spreadsheets(client, answered, owner):
    login(client, owner)
    response = client.get(reverse("assessment:export_answers_csv", args=[answered.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert rows[0] == ["RESTRICTED"]
    assert rows[1] == ["question", "dimension", "answer", "na", "confidence", "comment"]
    assert [r[0] for r in rows[2:4]] == ["INT-01", "INT-02"]
    scores = csv_rows(client.get(reverse("assessment:export_scores_csv", args=[answered.pk])))
    assert scores[0] == ["RESTRICTED"]
    assert [r[0] for r in scores[2:6]] == ["intelligence", "legal", "interoperability", "trust"]
    overall = next(r for r in scores if r[0] == "overall")
    assert overall[3] == "100.0"


def test_csv_scores_are_rounded_to_two_decimals_and_names_keep_their_accents(
    client, assessment, owner
):
    bank = bank_spec(assessment.framework)
    tru1, tru2 = bank.question_by_code["TRU-01"], bank.question_by_code["TRU-02"]
    save_answers(
        assessment,
        owner,
        {"TRU-01": AnswerValue(frozenset([tru1.choices[3].id])),
         "TRU-02": AnswerValue(frozenset([tru2.choices[2].id]))},
    )  # fmt: skip
    Partnership.objects.filter(pk=assessment.partnership_id).update(name="France–Mali")
    login(client, owner)
    named = client.get(reverse("assessment:export_scores_csv", args=[assessment.pk]))
    assert 'filename="RESTRICTED-france-mali-' in named["Content-Disposition"]
    rows = csv_rows(client.get(reverse("assessment:export_scores_csv", args=[assessment.pk])))
    trust = next(r for r in rows if r[0] == "trust")
    assert trust[3] == "72.22"  # 72.2222...
    dashboard = client.get(reverse("assessment:dashboard_csv")).getvalue().decode("utf-8-sig")
    assert "France–Mali" in dashboard
    assert dashboard.splitlines()[0] == "Handling markings: RESTRICTED"


def test_csv_cells_cannot_start_formulas(client, answered, owner):
    answered.answers.filter(question__code="INT-09").update(text="=HYPERLINK(1)")
    login(client, owner)
    response = client.get(reverse("assessment:export_answers_csv", args=[answered.pk]))
    assert "'=HYPERLINK(1)" in response.getvalue().decode("utf-8-sig")


def test_dashboard_csv_follows_the_filters(client, answered, owner, team, bank):
    other = PartnershipFactory(name="Other", team=team, created_by=owner)
    AssessmentFactory(partnership=other, framework=bank, owner=owner, marking="UNCLASSIFIED")
    login(client, owner)
    response = client.get(reverse("assessment:dashboard_csv"), {"partnership": other.pk})
    content = response.getvalue().decode("utf-8-sig")
    assert "Other" in content and "Sahel Partnership" not in content
    assert 'filename="UNCLASSIFIED-assessments.csv"' in response["Content-Disposition"]
    mixed = client.get(reverse("assessment:dashboard_csv"))
    assert 'filename="MIXED-MARKINGS-assessments.csv"' in mixed["Content-Disposition"]


def test_compare_two_assessments_shows_deltas_against_the_chosen_baseline(
    client, answered, owner, partnership, bank
):
    second = AssessmentFactory(partnership=partnership, framework=bank, owner=owner)
    answer_all(second, owner, pick=lambda choices: choices[0], number=0)
    login(client, owner)
    response = client.get(reverse("assessment:compare"), {"ids": [answered.pk, second.pk]})
    assert response.status_code == 200
    comparison = response.context["comparison"]
    low = comparison.snapshots[1].score.overall
    assert comparison.baseline.assessment.pk == answered.pk
    assert [c.delta for c in comparison.overall] == [None, low - 100.0]
    assert [c.score for c in comparison.readiness][0] == 100.0
    rebased = client.get(
        reverse("assessment:compare"),
        {"ids": [answered.pk, second.pk], "baseline": second.pk},
    ).context["comparison"]
    assert rebased.baseline.assessment.pk == second.pk
    assert [c.delta for c in rebased.overall] == [100.0 - low, None]
    page = client.get(
        reverse("assessment:compare"), {"ids": [answered.pk, second.pk], "baseline": second.pk}
    ).content.decode()
    assert f"(+{100.0 - low:.1f})" in page


def test_compare_needs_two_to_six_of_the_same_bank(client, answered, owner, team, partnership):
    login(client, owner)
    one = client.get(reverse("assessment:compare"), {"ids": [answered.pk]})
    assert one.status_code == 400 and b"at least two" in one.content
    many = [
        AssessmentFactory(partnership=partnership, framework=answered.framework, owner=owner).pk
        for _ in range(6)
    ]
    seven = client.get(reverse("assessment:compare"), {"ids": [answered.pk, *many]})
    assert seven.status_code == 400
    assert b"You chose 7 assessments; compare at most 6 at a time." in seven.content
    framework = framework_import(data=small_bank_data(slug="other"), source="t", publish=True)
    other = AssessmentFactory(partnership=partnership, framework=framework, owner=owner)
    response = client.get(reverse("assessment:compare"), {"ids": [answered.pk, other.pk]})
    assert response.status_code == 400
    assert b"same question bank" in response.content


def test_dashboard_lets_the_user_tick_assessments_to_compare(client, answered, owner):
    login(client, owner)
    page = client.get("/").content.decode()
    assert f'name="ids" value="{answered.pk}" form="compare-form"' in page
    assert 'id="compare-form"' in page and "Tick 2 to 6 assessments" in page


def test_trend_joins_approved_assessments_and_marks_drafts_apart(client, answered, owner):
    approved = AssessmentFactory(
        partnership=answered.partnership, framework=answered.framework, owner=owner
    )
    answer_all(approved, owner)
    Assessment.objects.filter(pk=approved.pk).update(status="approved")
    login(client, owner)
    response = client.get(reverse("assessment:trend", args=[answered.partnership_id]))
    assert response.status_code == 200
    chart = str(response.context["chart"])
    assert chart.count('fill="#ffffff" stroke=') == 2  # the draft point, and its legend key
    assert "<polyline" not in chart  # one approved point: nothing to join
    rows = response.context["rows"]
    assert [s.assessment.pk for s, _readiness in rows] == [answered.pk, approved.pk]
    assert [readiness for _s, readiness in rows] == [100.0, 100.0]


def answered_of_size(owner, team, *, slug: str, questions_per_dimension: int) -> Assessment:
    """A fully answered assessment on its own bank of that size."""
    data = small_bank_data(slug=slug, questions_per_dimension=questions_per_dimension)
    assessment = AssessmentFactory(
        partnership=PartnershipFactory(team=team, created_by=owner),
        framework=framework_import(data=data, source="t", publish=True),
        owner=owner,
    )
    answer_all(assessment, owner)
    return assessment


def test_results_page_queries_do_not_grow_with_questions(client, owner, team):
    login(client, owner)
    counts = []
    for n in (10, 60):
        a = answered_of_size(owner, team, slug=f"b{n}", questions_per_dimension=n)
        url = reverse("assessment:results", args=[a.pk])
        client.get(url)  # warm the bank cache
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 8


READ_PAGES = [
    "assessment:review",
    "assessment:results",
    "assessment:export_json",
    "assessment:export_answers_csv",
    "assessment:export_scores_csv",
    "assessment:export_pdf",
    "assessment:roadmap_json",
]


@pytest.mark.parametrize("view", READ_PAGES)
def test_every_page_and_export_reads_a_constant_number_of_queries(client, owner, team, view):
    """Each is built from the assessment snapshot, whatever the number of questions."""
    login(client, owner)
    counts = []
    for n in (3, 30):
        a = answered_of_size(owner, team, slug=f"q{n}", questions_per_dimension=n)
        url = reverse(view, args=[a.pk])
        client.get(url)  # warm the bank cache
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 10
