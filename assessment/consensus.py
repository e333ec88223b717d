"""Agreement between independent answer sets: spread, modal answer, Krippendorff's alpha.

Pure functions of plain data (the `krippendorff` package computes alpha).

- Spread of a question = max - min of the respondents' question scores s_q, over the
  respondents who answered it with a value (N/A and unanswered left out).
- A disagreement: spread >= the threshold (DISAGREEMENT_SPREAD, 0.5 by default), or
  some respondents answered N/A and others gave a value.
- Modal answer: the most frequent answer (comment and confidence aside); several when tied.
- Alpha: Krippendorff's alpha, ordinal, over the scored single-choice, Likert and yes/no
  questions (units) and the active respondents (coders); the values are the question
  scores, whose order is the order of each question's scale. Unanswered and N/A answers
  are missing values: they are left out of the pairs, as the coefficient allows. Alpha
  is None when fewer than two values can be paired, or when every value is the same
  (no variation, so the coefficient is undefined).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import krippendorff
import numpy as np

from .answers import AnswerValue, has_value
from .scoring import BankSpec, QuestionSpec, question_score

ALPHA_KINDS = frozenset({"single", "likert", "yesno"})
Sets = Sequence[Mapping[int, AnswerValue]]


def answer_key(value: AnswerValue | None) -> tuple | None:
    """What an answer says, without its comment and confidence."""
    if value is None:
        return None
    if value.is_na:
        return ("na",)
    return (tuple(sorted(value.choice_ids)), value.number, value.text.strip())


@dataclass(frozen=True)
class QuestionAgreement:
    question: QuestionSpec
    values: tuple[AnswerValue | None, ...]  # one per respondent, in respondent order
    scores: tuple[float | None, ...]
    spread: float | None
    modal: tuple[AnswerValue, ...]
    agreed: AnswerValue | None  # the answer every respondent gave, when they all gave it
    disagreement: bool

    @property
    def split_on_na(self) -> bool:
        answered = [v for v in self.values if has_value(self.question, v)]
        return any(v.is_na for v in answered) and not all(v.is_na for v in answered)


@dataclass(frozen=True)
class Agreement:
    questions: tuple[QuestionAgreement, ...]  # disagreements first, then by spread
    alpha: float | None
    alpha_questions: int
    threshold: float

    @property
    def disagreements(self) -> tuple[QuestionAgreement, ...]:
        return tuple(q for q in self.questions if q.disagreement)

    def of(self, question_id: int) -> QuestionAgreement:
        return next(q for q in self.questions if q.question.id == question_id)


def question_agreement(
    question: QuestionSpec, values: Sequence[AnswerValue | None], threshold: float
) -> QuestionAgreement:
    answered = [v for v in values if has_value(question, v)]
    scores = tuple(question_score(question, v) for v in values)
    present = [s for s in scores if s is not None]
    spread = max(present) - min(present) if present else None
    counts = Counter(answer_key(v) for v in answered)
    top = max(counts.values(), default=0)
    modal_keys = [key for key, n in counts.items() if n == top]
    modal = tuple(next(v for v in answered if answer_key(v) == key) for key in modal_keys)
    agreed = answered[0] if answered and len(answered) == len(values) and len(counts) == 1 else None
    split_na = any(v.is_na for v in answered) and not all(v.is_na for v in answered)
    return QuestionAgreement(
        question=question,
        values=tuple(values),
        scores=scores,
        spread=spread,
        modal=modal,
        agreed=agreed,
        disagreement=split_na or (spread is not None and spread >= threshold),
    )


def agreement(bank: BankSpec, sets: Sets, *, threshold: float) -> Agreement:
    """Agreement of the answer sets (one per active respondent, in a fixed order)."""
    rows = [
        question_agreement(q, [answers.get(q.id) for answers in sets], threshold)
        for q in bank.questions
    ]
    order = {q.id: i for i, q in enumerate(bank.questions)}
    rows.sort(
        key=lambda r: (
            not r.disagreement,
            -(r.spread if r.spread is not None else -1.0),
            order[r.question.id],
        )
    )
    alpha, units = ordinal_alpha(bank, sets)
    return Agreement(tuple(rows), alpha, units, threshold)


def ordinal_alpha(bank: BankSpec, sets: Sets) -> tuple[float | None, int]:
    """(Krippendorff's ordinal alpha, number of questions it is computed over)."""
    units = [q for q in bank.questions if q.kind in ALPHA_KINDS and q.is_scored]
    if len(sets) < 2 or not units:
        return None, len(units)
    data = np.array(
        [
            [
                s if (s := question_score(q, answers.get(q.id))) is not None else np.nan
                for q in units
            ]
            for answers in sets
        ],
        dtype=float,
    )
    pairable = np.sum(~np.isnan(data), axis=0) >= 2
    values = data[:, pairable]
    if values.size == 0 or len(np.unique(values[~np.isnan(values)])) < 2:
        return None, len(units)
    return float(krippendorff.alpha(reliability_data=values, level_of_measurement="ordinal")), len(
        units
    )


def alpha_reading(alpha: float | None) -> str:
    """Krippendorff's own guidance (2004): rely on data with alpha >= 0.800, draw only
    tentative conclusions from 0.667 to 0.800, and none below."""
    from django.utils.translation import gettext

    if alpha is None:
        return gettext("Alpha cannot be computed: too few comparable answers, or all the same.")
    if alpha >= 0.8:
        return gettext("The analysts agree well: their judgements can be relied on together.")
    if alpha >= 0.667:
        return gettext(
            "The analysts agree only partly: conclusions are tentative, and the reconciled "
            "answers carry the weight of the rationale given for them."
        )
    return gettext(
        "The analysts disagree too much for their answers to be relied on as they stand; "
        "the reconciliation and its rationale decide the result."
    )
