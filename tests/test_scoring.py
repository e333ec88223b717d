"""Scoring: worked examples computed by hand, and properties (hypothesis)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessment.scoring import (
    AnswerValue,
    BandSpec,
    BankSpec,
    ChoiceSpec,
    DimensionSpec,
    ModelSpec,
    QuestionSpec,
    RuleSpec,
    band_for,
    question_score,
    score_assessment,
)

LIKERT = tuple(ChoiceSpec(10 + i, float(i)) for i in range(1, 6))  # ids 11..15, scores 1..5
BANDS = (BandSpec(0, 50, "Low"), BandSpec(50, 100, "High"))


def likert(qid, code, weight=1.0):
    return QuestionSpec(qid, code, "likert", weight, LIKERT)


def test_single_choice_is_normalised_by_its_own_range():
    q = QuestionSpec(1, "Q", "single", 1.0, (ChoiceSpec(1, 2), ChoiceSpec(2, 4), ChoiceSpec(3, 10)))
    assert question_score(q, AnswerValue(frozenset([2]))) == pytest.approx((4 - 2) / (10 - 2))


def test_likert_four_scores_three_quarters():
    assert question_score(likert(1, "L"), AnswerValue(frozenset([14]))) == 0.75


def test_multi_choice_is_share_of_total_score():
    q = QuestionSpec(1, "M", "multi", 1.0, (ChoiceSpec(1, 1), ChoiceSpec(2, 1), ChoiceSpec(3, 2)))
    assert question_score(q, AnswerValue(frozenset([1, 3]))) == pytest.approx(3 / 4)
    assert question_score(q, AnswerValue(frozenset([1, 2, 3]))) == 1.0


def test_numeric_is_linear_and_clamped():
    q = QuestionSpec(1, "N", "numeric", 1.0, min_value=0, max_value=12)
    assert question_score(q, AnswerValue(number=3)) == 0.25
    assert question_score(q, AnswerValue(number=40)) == 1.0
    assert question_score(q, AnswerValue(number=-5)) == 0.0


def test_numeric_without_range_and_free_text_are_unscored():
    assert question_score(QuestionSpec(1, "N", "numeric", 1.0), AnswerValue(number=3)) is None
    assert question_score(QuestionSpec(2, "T", "text", 1.0), AnswerValue(text="x")) is None


def test_worked_example_dimension_overall_fit_and_recommendations():
    # Dimension A: L1 (w=1) answered 5 -> 1.0; L2 (w=3) answered 2 -> 0.25.
    #   score = 100 * (1*1 + 3*0.25) / 4 = 43.75, coverage 1.0
    # Dimension B (weight 2): L3 (w=1) answered 4 -> 0.75, L4 (w=1) N/A.
    #   score = 75, coverage = 1/1 (N/A leaves the denominator)
    # Overall = (1*43.75 + 2*75) / 3 = 64.5833...
    # Model X targets A=50, B=80: gaps -6.25, -5;
    #   distance = sqrt((1*39.0625 + 2*25) / 3) = sqrt(29.6875) = 5.4486...
    bank = BankSpec(
        dimensions=(
            DimensionSpec("a", "A", 1.0, (likert(1, "L1"), likert(2, "L2", 3.0))),
            DimensionSpec("b", "B", 2.0, (likert(3, "L3"), likert(4, "L4"))),
        ),
        models=(ModelSpec("x", "X", {"a": 50, "b": 80}), ModelSpec("y", "Y", {"a": 0, "b": 0})),
        bands=BANDS,
        rules=(RuleSpec("a", 50, "Fix A"), RuleSpec("b", 50, "Fix B")),
    )
    answers = {
        1: AnswerValue(frozenset([15])),
        2: AnswerValue(frozenset([12])),
        3: AnswerValue(frozenset([14])),
        4: AnswerValue(is_na=True),
    }
    result = score_assessment(bank, answers)
    a, b = result.dimensions
    assert a.score == pytest.approx(43.75)
    assert a.band == "Low"
    assert b.score == pytest.approx(75.0)
    assert b.coverage == 1.0
    assert result.overall == pytest.approx(193.75 / 3)
    assert result.band == "High"
    x = result.models[0]
    assert x.gaps == pytest.approx({"a": -6.25, "b": -5.0})
    assert x.distance == pytest.approx(math.sqrt(29.6875))
    assert x.fit == pytest.approx(100 - math.sqrt(29.6875))
    assert result.best_fit == "x"
    # Only A is below its rule's threshold; L2 costs most: (1/3) * (3/4) * 0.75 * 100 = 18.75.
    assert [r.text for r in result.recommendations if not r.question_code] == ["Fix A"]
    worst = [r for r in result.recommendations if r.question_code]
    assert worst[0].question_code == "L2"
    assert worst[0].shortfall == pytest.approx(18.75)


def test_dimension_with_nothing_answered_is_none_not_zero():
    bank = BankSpec((DimensionSpec("a", "A", 1, (likert(1, "L1"),)),), bands=BANDS)
    result = score_assessment(bank, {})
    assert result.dimensions[0].score is None
    assert result.dimensions[0].coverage == 0.0
    assert result.overall is None
    assert result.band is None


def test_partial_coverage_counts_answered_weight():
    bank = BankSpec((DimensionSpec("a", "A", 1, (likert(1, "L1", 1), likert(2, "L2", 3))),))
    result = score_assessment(bank, {1: AnswerValue(frozenset([13]))})
    assert result.dimensions[0].coverage == 0.25
    assert result.dimensions[0].score == 50.0


def test_band_for_top_edge_and_boundaries():
    assert band_for(50, BANDS) == "High"
    assert band_for(49.999, BANDS) == "Low"
    assert band_for(100, BANDS) == "High"
    assert band_for(None, BANDS) is None


# --- properties --------------------------------------------------------------

weights = st.floats(min_value=0.1, max_value=10, allow_nan=False)
picks = st.one_of(st.none(), st.just("na"), st.integers(min_value=11, max_value=15))


@st.composite
def banks_and_answers(draw):
    dims = []
    answers = {}
    qid = 0
    for d in range(draw(st.integers(1, 4))):
        questions = []
        for _ in range(draw(st.integers(1, 5))):
            qid += 1
            questions.append(likert(qid, f"Q{qid}", draw(weights)))
            pick = draw(picks)
            if pick == "na":
                answers[qid] = AnswerValue(is_na=True)
            elif pick is not None:
                answers[qid] = AnswerValue(frozenset([pick]))
        dims.append(DimensionSpec(f"d{d}", f"D{d}", draw(weights), tuple(questions)))
    targets = {d.code: draw(st.floats(0, 100)) for d in dims}
    bank = BankSpec(tuple(dims), (ModelSpec("m", "M", targets),), BANDS)
    return bank, answers


@given(banks_and_answers())
def test_scores_stay_within_0_and_100(case):
    bank, answers = case
    result = score_assessment(bank, answers)
    for d in result.dimensions:
        assert d.score is None or 0 <= d.score <= 100
        assert 0 <= d.coverage <= 1
    assert result.overall is None or 0 <= result.overall <= 100
    assert all(m.fit is None or 0 <= m.fit <= 100 for m in result.models)


@given(banks_and_answers(), st.data())
def test_marking_a_question_na_never_changes_another_dimension(case, data):
    bank, answers = case
    dim = data.draw(st.sampled_from(bank.dimensions))
    question = data.draw(st.sampled_from(dim.questions))
    before = score_assessment(bank, answers)
    after = score_assessment(bank, {**answers, question.id: AnswerValue(is_na=True)})
    for b, a in zip(before.dimensions, after.dimensions, strict=True):
        if b.code != dim.code:
            assert a == b


@given(banks_and_answers(), st.floats(min_value=0.01, max_value=1000))
def test_multiplying_every_weight_by_a_constant_changes_nothing(case, factor):
    bank, answers = case
    scaled = BankSpec(
        tuple(
            DimensionSpec(
                d.code,
                d.name,
                d.weight * factor,
                tuple(
                    QuestionSpec(q.id, q.code, q.kind, q.weight * factor, q.choices)
                    for q in d.questions
                ),
            )
            for d in bank.dimensions
        ),
        bank.models,
        bank.bands,
    )
    before, after = score_assessment(bank, answers), score_assessment(scaled, answers)
    assert after.overall == pytest.approx(before.overall)
    for b, a in zip(before.dimensions, after.dimensions, strict=True):
        assert a.score == pytest.approx(b.score)
        assert a.coverage == pytest.approx(b.coverage)
    assert after.models[0].fit == pytest.approx(before.models[0].fit)


@given(banks_and_answers())
def test_a_perfect_match_to_a_profile_gives_fit_100(case):
    bank, answers = case
    result = score_assessment(bank, answers)
    scored = {d.code: d.score for d in result.dimensions if d.score is not None}
    if not scored:
        return
    twin = BankSpec(bank.dimensions, (ModelSpec("twin", "Twin", scored),), bank.bands)
    assert score_assessment(twin, answers).models[0].fit == pytest.approx(100.0)
