"""Moving an assessment's answers to another version of its bank. Pure: two banks and
the answers in, a plan out; `services.assessment_move_to_version` carries it out.

An answer carries over when the new version has a question with the same code, the
same kind and the same choice labels (in any order; ids are mapped by label), and the
answer is valid there (a number within the new range, N/A still allowed, confidence
only on a scored question). Every other answer is dropped, with the reason, for the
analyst to answer again; the move keeps a copy of them all.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from . import answers
from .answers import AnswerValue
from .scoring import BankSpec, QuestionSpec


@dataclass(frozen=True)
class Carried:
    old: QuestionSpec
    new: QuestionSpec
    value: AnswerValue  # with the new question's choice ids


@dataclass(frozen=True)
class Dropped:
    old: QuestionSpec
    value: AnswerValue
    reason: str
    new: QuestionSpec | None  # the question with the same code in the new version


@dataclass(frozen=True)
class MovePlan:
    carried: tuple[Carried, ...]
    dropped: tuple[Dropped, ...]

    @property
    def carried_codes(self) -> list[str]:
        return [c.new.code for c in self.carried]

    @property
    def dropped_entries(self) -> list[dict]:
        return [{"question": d.old.code, "reason": d.reason} for d in self.dropped]


def plan_move(old: BankSpec, new: BankSpec, values: Mapping[int, AnswerValue]) -> MovePlan:
    carried, dropped = [], []
    for question in old.questions:
        value = values.get(question.id)
        if value is None:
            continue
        target = new.question_by_code.get(question.code)
        mapped, reason = _carry(question, target, value)
        if reason is None:
            carried.append(Carried(question, target, mapped))
        else:
            dropped.append(Dropped(question, value, reason, target))
    return MovePlan(tuple(carried), tuple(dropped))


def _carry(
    old: QuestionSpec, new: QuestionSpec | None, value: AnswerValue
) -> tuple[AnswerValue | None, str | None]:
    """The value for the new question, or why it cannot be carried over."""
    if new is None:
        return None, "not in the new version"
    if new.kind != old.kind:
        return None, f"kind changed from {old.kind} to {new.kind}"
    old_labels = {c.label for c in old.choices}
    if old_labels != {c.label for c in new.choices}:
        return None, "choices changed"
    by_label = {c.label: c.id for c in new.choices}
    labels = {c.id: c.label for c in old.choices}
    mapped = AnswerValue(
        choice_ids=frozenset(by_label[labels[pk]] for pk in value.choice_ids),
        number=value.number,
        text=value.text,
        is_na=value.is_na,
        comment=value.comment,
        confidence=value.confidence,
    )
    problems = answers.problems(new, mapped)
    if problems:
        return None, "; ".join(problems.values())
    return mapped, None
