"""Scoring (methodology v2): worked examples computed by hand, and properties."""

import dataclasses
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessment.answers import AnswerValue
from assessment.scoring import (
    BankSpec,
    ChoiceSpec,
    ConditionSpec,
    DimensionSpec,
    ModelSpec,
    QuestionSpec,
    RedLineSpec,
    RuleSpec,
    band_for,
    bank_from_dict,
    progress,
    question_score,
    score_assessment,
)
from frameworks.selectors import default_bank

from .specs import BANDS, banks_and_answers, confidences, likert, likert_choices, pick

# --- question scores -----------------------------------------------------------


def test_single_choice_is_normalised_by_its_own_range():
    q = QuestionSpec(
        1, "Q", "single",
        choices=(ChoiceSpec(1, "a", 2), ChoiceSpec(2, "b", 4), ChoiceSpec(3, "c", 10)),
    )  # fmt: skip
    assert question_score(q, AnswerValue(frozenset([2]))) == pytest.approx((4 - 2) / (10 - 2))


def test_likert_four_scores_three_quarters():
    assert question_score(likert(1, "L"), pick(1, 4)) == 0.75


def test_multi_choice_is_share_of_total_score():
    q = QuestionSpec(
        1,
        "M",
        "multi",
        choices=(ChoiceSpec(1, "a", 1), ChoiceSpec(2, "b", 1), ChoiceSpec(3, "c", 2)),
    )
    assert question_score(q, AnswerValue(frozenset([1, 3]))) == pytest.approx(3 / 4)
    assert question_score(q, AnswerValue(frozenset([1, 2, 3]))) == 1.0
    assert question_score(q, AnswerValue(frozenset())) is None


def test_numeric_is_linear_and_clamped():
    q = QuestionSpec(1, "N", "numeric", min_value=0, max_value=12)
    assert question_score(q, AnswerValue(number=3)) == 0.25
    assert question_score(q, AnswerValue(number=40)) == 1.0
    assert question_score(q, AnswerValue(number=-5)) == 0.0


def test_numeric_without_range_free_text_and_context_questions_are_unscored():
    assert question_score(QuestionSpec(1, "N", "numeric"), AnswerValue(number=3)) is None
    assert question_score(QuestionSpec(2, "T", "text"), AnswerValue(text="x")) is None
    context = dataclasses.replace(likert(3, "C"), scored=False)
    assert question_score(context, pick(3, 5)) is None


# --- the worked example ------------------------------------------------------------
#
# Dimension a (W=1): L1 (w=1) at level 5 -> s=1.0, confidence high;
#                    L2 (w=3) at level 2 -> s=0.25, confidence low.
#   R_a = 100 * (1*1 + 3*0.25) / 4 = 43.75
#   Red line "L2 below 0.5 caps a at 30" is crossed (0.25 < 0.5): S_a = 30.
# Dimension b (W=2): L3 (w=1) at level 4 -> s=0.75, no confidence; L4 N/A.
#   R_b = S_b = 75 (the red line "L3 below 0.5" is not crossed). L5 (w=1) is
#   unanswered: coverage = 1 / 2.
# Overall = (1*30 + 2*75) / 3 = 60.
# Model x, targets a=50, b=80: shortfalls 20 and 5;
#   readiness = 100 - sqrt((1*400 + 2*25) / 3) = 100 - sqrt(150) = 87.7525...
#   demand = (50 + 160) / 3 = 70. Condition L1 >= 0.75: met. Not within reach (< 90).
# Model y, targets a=20, b=60: no shortfall (b is above its target, which is no gap):
#   readiness 100, demand (20 + 120) / 3 = 46.67. Condition L3 >= 1.0: unmet.
# Model z, targets a=30, b=75: readiness 100, demand 60. Condition L5 (unanswered): unknown.
# Model w, targets a=0, b=0: readiness 100, demand 0, no condition: within reach.
# closest: y, z and w share readiness 100; z is the most demanding.


def worked_bank():
    return BankSpec(
        dimensions=(
            DimensionSpec("a", "A", 1.0, (likert(1, "L1", 1, "a"), likert(2, "L2", 3, "a"))),
            DimensionSpec(
                "b",
                "B",
                2.0,
                (
                    likert(3, "L3", 1, "b"),
                    likert(4, "L4", 1, "b", allow_na=True),
                    likert(5, "L5", 1, "b"),
                ),
            ),
        ),  # fmt: skip
        models=(
            ModelSpec("x", "X", {"a": 50, "b": 80}, (ConditionSpec("L1", 0.75, "needs L1"),)),
            ModelSpec("y", "Y", {"a": 20, "b": 60}, (ConditionSpec("L3", 1.0, "needs L3"),)),
            ModelSpec("z", "Z", {"a": 30, "b": 75}, (ConditionSpec("L5", 0.5, "needs L5"),)),
            ModelSpec("w", "W", {"a": 0, "b": 0}),
        ),
        bands=BANDS,
        rules=(RuleSpec("a", 50, "Fix A"), RuleSpec("b", 50, "Fix B")),
        red_lines=(RedLineSpec("L2", 0.5, 30, "safeguard"), RedLineSpec("L3", 0.5, 20, "other")),
    )


WORKED_ANSWERS = {
    1: pick(1, 5, confidence="high"),
    2: pick(2, 2, confidence="low"),
    3: pick(3, 4),
    4: AnswerValue(is_na=True),
}


def test_worked_example_dimensions_red_lines_and_overall():
    result = score_assessment(worked_bank(), WORKED_ANSWERS)
    a, b = result.dimensions
    assert a.raw_score == pytest.approx(43.75)
    assert a.score == 30
    assert a.capped_by == ("L2",)
    assert a.band == "Low"
    assert (b.raw_score, b.score, b.capped_by) == (75.0, 75.0, ())
    assert a.coverage == 1.0
    assert b.coverage == 0.5  # L3 answered, L5 not, L4 N/A: 1 of 2
    assert result.overall == pytest.approx(60.0)
    assert result.band == "High"
    assert [(r.question, r.dimension, r.triggered) for r in result.red_lines] == [
        ("L2", "a", True),
        ("L3", "b", False),
    ]
    assert [r.text for r in result.recommendations] == ["Fix A"]


def test_worked_example_models_readiness_demand_conditions():
    result = score_assessment(worked_bank(), WORKED_ANSWERS)
    x, y, z, w = result.models
    assert x.shortfalls == {"a": 20.0, "b": 5.0}
    assert x.readiness == pytest.approx(100 - math.sqrt(150))
    assert x.demand == pytest.approx(70.0)
    assert [c.status for c in x.conditions] == ["met"]
    assert not x.within_reach
    assert y.shortfalls == {"a": 0.0, "b": 0.0}
    assert y.readiness == 100.0
    assert y.demand == pytest.approx(140 / 3)
    assert [c.status for c in y.conditions] == ["unmet"]
    assert not y.within_reach
    assert [c.status for c in z.conditions] == ["unknown"]
    assert not z.within_reach
    assert w.within_reach
    assert result.supported_models == ("w",)
    assert result.closest_model == "z"


def test_worked_example_confidence_shares_over_answered_weight():
    result = score_assessment(worked_bank(), WORKED_ANSWERS)
    a, b = result.dimensions
    assert dataclasses.astuple(a.confidence) == (0.25, 0.0, 0.75, 0.0)
    assert dataclasses.astuple(b.confidence) == (0.0, 0.0, 0.0, 1.0)


def test_a_red_line_above_the_raw_score_still_names_the_cap_but_changes_nothing():
    bank = dataclasses.replace(worked_bank(), red_lines=(RedLineSpec("L2", 0.5, 90, "loose"),))
    a = score_assessment(bank, WORKED_ANSWERS).dimensions[0]
    assert (a.raw_score, a.score, a.capped_by) == (43.75, 43.75, ("L2",))


def test_an_unanswered_red_line_question_does_not_trigger():
    answers = {k: v for k, v in WORKED_ANSWERS.items() if k != 2}
    result = score_assessment(worked_bank(), answers)
    assert not result.red_lines[0].triggered
    assert result.dimensions[0].score == 100.0


def test_ties_in_supported_models_go_to_demand_then_bank_order():
    bank = BankSpec(
        (DimensionSpec("a", "A", 1.0, (likert(1, "L1", 1, "a"),)),),
        models=(
            ModelSpec("first", "First", {"a": 40}),
            ModelSpec("demanding", "Demanding", {"a": 60}),
            ModelSpec("second", "Second", {"a": 40}),
        ),
    )
    result = score_assessment(bank, {1: pick(1, 5)})
    assert result.supported_models == ("demanding", "first", "second")
    assert result.closest_model == "demanding"


def test_closest_model_ties_on_readiness_and_demand_go_to_bank_order():
    bank = BankSpec(
        (DimensionSpec("a", "A", 1.0, (likert(1, "L1", 1, "a"),)),),
        models=(ModelSpec("p", "P", {"a": 90}), ModelSpec("q", "Q", {"a": 90})),
    )
    result = score_assessment(bank, {1: pick(1, 1)})
    assert result.models[0].readiness == result.models[1].readiness == 10.0
    assert result.closest_model == "p"
    assert result.supported_models == ()


def test_nothing_answered_gives_no_scores_no_readiness_and_zero_coverage():
    result = score_assessment(worked_bank(), {})
    assert [d.score for d in result.dimensions] == [None, None]
    assert result.overall is None and result.band is None
    assert result.coverage == 0.0
    assert all(m.readiness is None and not m.within_reach for m in result.models)
    assert all(v is None for m in result.models for v in m.shortfalls.values())
    assert result.closest_model is None and result.supported_models == ()
    assert dataclasses.astuple(result.dimensions[0].confidence) == (None,) * 4


def test_a_dimension_with_nothing_applicable_has_no_coverage_and_is_left_out():
    # a: only free text (nothing scored); b: one Likert question (W=3).
    text = QuestionSpec(1, "T", "text", dimension="a")
    bank = BankSpec(
        (
            DimensionSpec("a", "A", 1.0, (text,)),
            DimensionSpec("b", "B", 3.0, (likert(2, "L2", 1, "b", allow_na=True),)),
        )
    )
    nothing = score_assessment(bank, {})
    assert nothing.dimensions[0].coverage is None
    assert nothing.coverage == 0.0  # not 25 % (v1 counted a as fully covered)
    only_na = score_assessment(bank, {2: AnswerValue(is_na=True)})
    assert only_na.coverage is None
    answered = score_assessment(bank, {2: pick(2, 3)})
    assert answered.coverage == 1.0


def test_band_for_top_edge_and_boundaries():
    assert band_for(50, BANDS) == "High"
    assert band_for(49.999, BANDS) == "Low"
    assert band_for(100, BANDS) == "High"
    assert band_for(0, BANDS) == "Low"
    assert band_for(None, BANDS) is None


def test_progress_counts_na_and_values_and_lists_missing_required():
    bank = worked_bank()
    result = progress(bank, {1: pick(1, 3), 4: AnswerValue(is_na=True), 5: AnswerValue()})
    a, b = result.dimensions
    assert (a.done, a.total, a.missing_required) == (1, 2, ("L2",))
    assert (b.done, b.total, b.missing_required) == (1, 3, ("L3", "L5"))
    assert (result.done, result.total, result.percent) == (2, 5, 40)


def test_a_dimension_code_named_total_is_an_ordinary_dimension():
    bank = BankSpec((DimensionSpec("total", "Total", 1.0, (likert(1, "L1", 1, "total"),)),))
    result = progress(bank, {1: pick(1, 2)})
    assert result.of("total").done == 1 and result.total == 1


# --- the default bank ------------------------------------------------------------


def default_v1():
    return bank_from_dict(default_bank(version=1)[1])


def extreme_answers(bank, top: bool):
    answers = {}
    for q in bank.questions:
        if q.kind == "multi":
            answers[q.id] = AnswerValue(frozenset(c.id for c in q.choices) if top else frozenset())
        elif q.has_choices:
            ranked = sorted(q.choices, key=lambda c: c.score)
            answers[q.id] = AnswerValue(frozenset([(ranked[-1] if top else ranked[0]).id]))
        elif q.kind == "numeric":
            answers[q.id] = AnswerValue(number=q.max_value if top else q.min_value)
    return answers


def test_default_bank_all_answers_at_the_top_make_every_model_ready():
    bank = default_v1()
    result = score_assessment(bank, extreme_answers(bank, top=True))
    assert result.overall == 100.0
    assert [m.readiness for m in result.models] == [100.0, 100.0, 100.0]
    assert set(result.supported_models) == {"bilateral", "multilateral", "informal"}


def test_default_bank_all_answers_at_the_bottom_support_no_model():
    bank = default_v1()
    result = score_assessment(bank, extreme_answers(bank, top=False))
    assert result.overall == 0.0
    assert result.supported_models == ()
    least_demanding = min(result.models, key=lambda m: m.demand)
    assert result.closest_model == least_demanding.code
    # With every score at 0 the shortfalls are the targets themselves.
    for m in result.models:
        assert m.shortfalls == dict(bank.model(m.code).targets)


# --- properties --------------------------------------------------------------


@given(banks_and_answers())
def test_scores_stay_within_0_and_100(case):
    bank, answers = case
    result = score_assessment(bank, answers)
    for d in result.dimensions:
        assert d.score is None or 0 <= d.score <= 100
        assert d.raw_score is None or 0 <= d.raw_score <= 100
        assert d.coverage is None or 0 <= d.coverage <= 1
    assert result.overall is None or 0 <= result.overall <= 100
    assert result.coverage is None or 0 <= result.coverage <= 1
    assert all(m.readiness is None or 0 <= m.readiness <= 100 for m in result.models)
    assert result.overall is None or band_for(result.overall, BANDS) is not None


@given(banks_and_answers(), st.data())
def test_raising_any_answer_never_lowers_any_readiness(case, data):
    bank, answers = case
    answered = [q for q in bank.questions if q.id in answers and not answers[q.id].is_na]
    if not answered:
        return
    question = data.draw(st.sampled_from(answered))
    level = next(c.score for c in question.choices if c.id in answers[question.id].choice_ids)
    higher = data.draw(st.integers(int(level), 5))
    before = score_assessment(bank, answers)
    after = score_assessment(bank, {**answers, question.id: pick(question.id, higher)})
    for b, a in zip(before.models, after.models, strict=True):
        assert a.readiness >= b.readiness - 1e-9
    assert after.overall >= before.overall - 1e-9


@given(banks_and_answers(), st.data())
def test_scoring_at_or_above_every_target_gives_readiness_100(case, data):
    bank, answers = case
    result = score_assessment(bank, answers)
    scores = {d.code: d.score for d in result.dimensions}
    if all(s is None for s in scores.values()):
        return
    targets = {
        code: data.draw(st.floats(0, score)) if score is not None else data.draw(st.floats(0, 100))
        for code, score in scores.items()
    }
    below = dataclasses.replace(bank, models=(ModelSpec("low", "Low", targets),))
    assert score_assessment(below, answers).models[0].readiness == 100.0


@given(banks_and_answers(), st.data())
def test_confidence_never_changes_a_score(case, data):
    bank, answers = case
    rerated = {
        qid: dataclasses.replace(value, confidence=data.draw(confidences))
        if not value.is_na
        else value
        for qid, value in answers.items()
    }
    before, after = score_assessment(bank, answers), score_assessment(bank, rerated)
    strip = lambda result: [dataclasses.replace(d, confidence=None) for d in result.dimensions]  # noqa: E731
    assert strip(before) == strip(after)
    assert before.models == after.models
    assert (before.overall, before.coverage) == (after.overall, after.coverage)


@given(banks_and_answers(), st.data())
def test_marking_a_question_na_never_changes_another_dimension(case, data):
    bank, answers = case
    dim = data.draw(st.sampled_from(bank.dimensions))
    question = data.draw(st.sampled_from(dim.questions))
    red_line_dims = {bank.question_by_code[r.question].dimension for r in bank.red_lines}
    before = score_assessment(bank, answers)
    after = score_assessment(bank, {**answers, question.id: AnswerValue(is_na=True)})
    for b, a in zip(before.dimensions, after.dimensions, strict=True):
        if b.code != dim.code and b.code not in red_line_dims:
            assert a == b


@given(banks_and_answers(), st.floats(min_value=0.01, max_value=1000))
def test_multiplying_every_weight_by_a_constant_changes_nothing(case, factor):
    bank, answers = case
    scaled = dataclasses.replace(
        bank,
        dimensions=tuple(
            dataclasses.replace(
                d,
                weight=d.weight * factor,
                questions=tuple(
                    dataclasses.replace(q, weight=q.weight * factor) for q in d.questions
                ),
            )
            for d in bank.dimensions
        ),
    )
    before, after = score_assessment(bank, answers), score_assessment(scaled, answers)
    assert after.overall == pytest.approx(before.overall)
    for b, a in zip(before.dimensions, after.dimensions, strict=True):
        assert a.score == pytest.approx(b.score)
        assert a.coverage == pytest.approx(b.coverage)
    for b, a in zip(before.models, after.models, strict=True):
        assert a.readiness == pytest.approx(b.readiness)


@pytest.mark.parametrize(
    ("question", "at_least", "level"),
    [
        (likert(1, "L"), 0.75, "“L4”"),
        (likert(1, "L"), 0.7, "“L4”"),  # the least choice that reaches it
        (likert(1, "L"), 1.0, "“L5”"),
        (QuestionSpec(2, "N", "numeric", min_value=0, max_value=48, unit="hours"), 0.5, "24 hours"),
        (
            QuestionSpec(3, "M", "multi", choices=likert_choices(3)),
            0.6,
            "choices worth 60% of all of them",
        ),
    ],
)
def test_a_condition_says_the_least_answer_that_meets_it(question, at_least, level):
    from assessment.answers import kind_of

    assert kind_of(question).level_at(question, at_least) == level
