"""Plain scoring specs for pure tests: Likert questions, answers by level, and a
Hypothesis strategy for random banks with red lines and conditions."""

from hypothesis import strategies as st

from assessment.answers import AnswerValue
from assessment.scoring import (
    BandSpec,
    BankSpec,
    ChoiceSpec,
    ConditionSpec,
    DimensionSpec,
    ModelSpec,
    QuestionSpec,
    RedLineSpec,
)

BANDS = (BandSpec(0, 50, "Low"), BandSpec(50, 100, "High"))


def likert_choices(qid):
    """Choices with ids qid*10+1 .. qid*10+5 and scores 1..5."""
    return tuple(ChoiceSpec(qid * 10 + i, f"L{i}", float(i)) for i in range(1, 6))


def likert(qid, code, weight=1.0, dimension="", allow_na=False):
    return QuestionSpec(
        qid, code, "likert", dimension=dimension, weight=weight, choices=likert_choices(qid),
        allow_na=allow_na,
    )  # fmt: skip


def pick(qid, level, **extra):
    """Answer question qid with Likert level 1..5."""
    return AnswerValue(frozenset([qid * 10 + level]), **extra)


weights = st.floats(min_value=0.1, max_value=10, allow_nan=False)
levels = st.one_of(st.none(), st.just("na"), st.integers(min_value=1, max_value=5))
confidences = st.sampled_from(["", "high", "medium", "low"])


@st.composite
def banks_and_answers(draw):
    dims, answers, qid = [], {}, 0
    for d in range(draw(st.integers(1, 4))):
        questions = []
        for _ in range(draw(st.integers(1, 5))):
            qid += 1
            questions.append(likert(qid, f"Q{qid}", draw(weights), f"d{d}", allow_na=True))
            level = draw(levels)
            if level == "na":
                answers[qid] = AnswerValue(is_na=True)
            elif level is not None:
                answers[qid] = pick(qid, level, confidence=draw(confidences))
        dims.append(DimensionSpec(f"d{d}", f"D{d}", draw(weights), tuple(questions)))
    codes = [q.code for dim in dims for q in dim.questions]
    red_lines = tuple(
        RedLineSpec(code, draw(st.floats(0.05, 1)), draw(st.floats(0, 100)))
        for code in draw(st.lists(st.sampled_from(codes), max_size=2, unique=True))
    )
    models = tuple(
        ModelSpec(
            f"m{m}",
            f"M{m}",
            {d.code: draw(st.floats(0, 100)) for d in dims},
            tuple(
                ConditionSpec(code, draw(st.floats(0.05, 1)))
                for code in draw(st.lists(st.sampled_from(codes), max_size=2, unique=True))
            ),
        )
        for m in range(draw(st.integers(1, 3)))
    )
    bank = BankSpec(tuple(dims), models, BANDS, red_lines=red_lines)
    return bank, answers
