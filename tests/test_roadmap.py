"""The improvement roadmap: step rules, priorities, stopping, exactness (hand-built banks)."""

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessment.answers import AnswerValue
from assessment.roadmap import next_value, plan
from assessment.scoring import (
    BankSpec,
    ChoiceSpec,
    ConditionSpec,
    DimensionSpec,
    ModelSpec,
    QuestionSpec,
    RedLineSpec,
    score_assessment,
)

from .specs import banks_and_answers, likert, pick


def test_a_single_choice_step_goes_to_the_lowest_score_above_the_first_in_order_on_ties():
    q = QuestionSpec(
        1, "S", "single",
        choices=(ChoiceSpec(1, "none", 0), ChoiceSpec(2, "b", 3), ChoiceSpec(3, "a", 2),
                 ChoiceSpec(4, "a2", 2), ChoiceSpec(5, "top", 5)),
    )  # fmt: skip
    assert next_value(q, AnswerValue(frozenset([1]))).choice_ids == {3}
    assert next_value(q, AnswerValue(frozenset([3]))).choice_ids == {2}
    assert next_value(q, AnswerValue(frozenset([5]))) is None


def test_a_multiple_choice_step_ticks_the_best_unticked_option():
    q = QuestionSpec(
        1, "M", "multi",
        choices=(ChoiceSpec(1, "a", 1), ChoiceSpec(2, "b", 3), ChoiceSpec(3, "c", 3)),
    )  # fmt: skip
    assert next_value(q, AnswerValue(frozenset([1]))).choice_ids == {1, 2}
    assert next_value(q, AnswerValue(frozenset([1, 2]))).choice_ids == {1, 2, 3}
    assert next_value(q, AnswerValue(frozenset([1, 2, 3]))) is None


def test_a_numeric_step_goes_to_the_next_quarter_of_the_range():
    q = QuestionSpec(1, "N", "numeric", min_value=0, max_value=12)
    assert next_value(q, AnswerValue(number=0)).number == 3
    assert next_value(q, AnswerValue(number=3)).number == 6
    assert next_value(q, AnswerValue(number=7)).number == 9
    assert next_value(q, AnswerValue(number=12)) is None
    assert next_value(q, AnswerValue(number=20)) is None


def test_a_step_keeps_the_comment_and_confidence():
    q = likert(1, "L")
    after = next_value(q, pick(1, 2, comment="why", confidence="low"))
    assert (after.comment, after.confidence) == ("why", "low")


# Bank for the priority tests. Dimension a (W=1): A2 (w=3) alone. Dimension b (W=1):
# B1 and B2 (w=1 each). Every answer at level 1 (score 0). Model m: targets a=100,
# b=100, condition B1 >= 0.5. One level of A2 lifts a to 25 (readiness 100 - sqrt((75^2 +
# 100^2) / 2) = 11.6); one level of B1 lifts b only to 12.5 (readiness 7.0). Yet B1 goes
# first: level 2 raises the condition's question (class 2), level 3 meets it (class 1).


def priority_bank(condition=True):
    return BankSpec(
        (
            DimensionSpec("a", "A", 1.0, (likert(2, "A2", 3, "a"),)),
            DimensionSpec("b", "B", 1.0, (likert(3, "B1", 1, "b"), likert(4, "B2", 1, "b"))),
        ),
        models=(
            ModelSpec(
                "m",
                "M",
                {"a": 100, "b": 100},
                (ConditionSpec("B1", 0.5, "needed"),) if condition else (),
            ),
        ),  # fmt: skip
    )


LOW = {2: pick(2, 1), 3: pick(3, 1), 4: pick(4, 1)}


def test_a_step_that_meets_or_nears_an_unmet_condition_beats_a_bigger_readiness_gain():
    result = plan(priority_bank(), LOW, "m", steps=3)
    codes = [s.question.code for s in result.steps]
    assert codes[:2] == ["B1", "B1"]  # level 2 (class 2), then level 3 meets 0.5 (class 1)
    assert result.steps[0].meets_conditions == ()
    assert result.steps[1].meets_conditions == ("B1",)
    assert codes[2] == "A2"  # then the largest gain


def test_without_conditions_the_largest_gain_goes_first_and_ties_go_to_the_heavier_question():
    first = plan(priority_bank(condition=False), LOW, "m", steps=1).steps[0]
    assert first.question.code == "A2"
    # Equal gains: A1 (w=1) and A2 (w=3) in one dimension with targets making both equal.
    tie = BankSpec(
        (DimensionSpec("a", "A", 1.0, (likert(1, "A1", 1, "a"), likert(2, "A2", 1, "a"))),),
        models=(ModelSpec("m", "M", {"a": 100}),),
    )
    first = plan(tie, {1: pick(1, 1), 2: pick(2, 1)}, "m", steps=1).steps[0]
    assert first.question.code == "A1"  # equal weight and gain: bank order
    heavier = dataclasses.replace(
        tie,
        dimensions=(
            DimensionSpec(
                "a", "A", 1.0, (likert(1, "A1", 1, "a"), likert(2, "A2", 1.0000000001, "a"))
            ),
        ),
    )
    first = plan(heavier, {1: pick(1, 1), 2: pick(2, 1)}, "m", steps=1).steps[0]
    assert first.question.code == "A2"


def test_a_plan_stops_once_nothing_helps():
    # Target a=50: from level 1 (0) two steps of A2 reach 50 (3/4 * 2/4 = ...), then no gain.
    bank = BankSpec(
        (DimensionSpec("a", "A", 1.0, (likert(1, "A1", 1, "a"),)),),
        models=(ModelSpec("m", "M", {"a": 50}),),
        ready_at=90,
    )
    result = plan(bank, {1: pick(1, 1)}, "m")
    # Levels 1..5 score 0, 25, 50, 75, 100: readiness 50, 75, 100 -> stops at level 3.
    assert [s.readiness for s in result.steps] == [75.0, 100.0]
    assert [s.within_reach for s in result.steps] == [False, True]
    assert result.reached_after == 2
    assert result.end.within_reach


def test_a_plan_is_capped_at_the_number_of_steps():
    result = plan(priority_bank(condition=False), LOW, "m", steps=2)
    assert len(result.steps) == 2
    assert result.reached_after is None


def test_unanswered_na_text_and_context_questions_are_never_in_a_plan():
    text = QuestionSpec(4, "T", "text", dimension="a")
    context = dataclasses.replace(likert(5, "C", 1, "a"), scored=False)
    na = likert(6, "NA", 1, "a", allow_na=True)
    unanswered = likert(7, "U", 1, "a")
    bank = BankSpec(
        (DimensionSpec("a", "A", 1.0, (likert(1, "A1", 1, "a"), text, context, na, unanswered)),),
        models=(ModelSpec("m", "M", {"a": 100}),),
    )
    answers = {
        1: pick(1, 1), 4: AnswerValue(text="x"), 5: pick(5, 1), 6: AnswerValue(is_na=True)
    }  # fmt: skip
    result = plan(bank, answers, "m", steps=20)
    assert {s.question.code for s in result.steps} == {"A1"}
    assert len(result.steps) == 4 and result.end.readiness == 100.0


def test_a_model_already_within_reach_with_full_readiness_needs_no_step():
    bank = priority_bank(condition=False)
    top = {2: pick(2, 5), 3: pick(3, 5), 4: pick(4, 5)}
    result = plan(bank, top, "m")
    assert result.steps == () and result.reached_after == 0


def test_an_unknown_model_is_an_error():
    with pytest.raises(KeyError):
        plan(priority_bank(), LOW, "nope")


def apply(answers, result):
    applied = dict(answers)
    for step in result.steps:
        applied[step.question.id] = step.after
    return applied


@given(banks_and_answers(), st.data())
def test_readiness_never_falls_along_a_plan_and_rescoring_gives_the_last_steps_numbers(case, data):
    bank, answers = case
    model = data.draw(st.sampled_from(bank.models))
    result = plan(bank, answers, model.code, steps=data.draw(st.integers(1, 12)))
    readiness = [result.start.readiness] + [s.readiness for s in result.steps]
    for before, after in zip(readiness, readiness[1:], strict=False):
        assert before is None or after >= before - 1e-9
    if result.steps:
        final = score_assessment(bank, apply(answers, result))
        last = result.steps[-1]
        assert final.model(model.code).readiness == last.readiness
        assert final.overall == last.overall
        assert final.dimension(last.question.dimension).score == last.dimension_score
        assert final.model(model.code).within_reach == last.within_reach


def test_a_crossed_red_line_that_holds_the_model_back_is_lifted_first():
    # a: A1 (red line: below 0.5 caps a at 30) at level 1, A2 at level 5: raw 50, capped 30.
    # One level of A1 (0.25) gains nothing while the cap holds; two levels lift it.
    bank = BankSpec(
        (DimensionSpec("a", "A", 1.0, (likert(1, "A1", 1, "a"), likert(2, "A2", 1, "a"))),),
        models=(ModelSpec("m", "M", {"a": 80}),),
        red_lines=(RedLineSpec("A1", 0.5, 30, "safeguard"),),
    )
    result = plan(bank, {1: pick(1, 1), 2: pick(2, 5)}, "m", steps=3)
    assert [s.question.code for s in result.steps[:2]] == ["A1", "A1"]
    assert [s.lifts_red_lines for s in result.steps[:2]] == [(), ("A1",)]
    assert result.steps[0].readiness == result.start.readiness  # the cap still holds
    assert result.steps[1].dimension_score == 75.0  # (0.5 + 1) / 2, no cap


def test_a_red_line_whose_cap_is_above_the_target_is_left_alone():
    bank = BankSpec(
        (DimensionSpec("a", "A", 1.0, (likert(1, "A1", 1, "a"), likert(2, "A2", 1, "a"))),),
        models=(ModelSpec("m", "M", {"a": 20}),),
        red_lines=(RedLineSpec("A1", 0.5, 30, "safeguard"),),
    )
    result = plan(bank, {1: pick(1, 1), 2: pick(2, 1)}, "m")
    # a is 0: A1 and A2 each gain the same; A1 is not promoted by its red line.
    assert result.steps[0].lifts_red_lines == ()
