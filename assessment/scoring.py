"""Scores, maturity, model fit and recommendations: pure functions, no Django.

Takes a bank and answers as plain data and returns dataclasses. Cheap enough to
run many times (an improvement roadmap will re-score hypothetical answers).
The formulas are the ones in the README's methodology section:

- question score s_q in [0, 1]: (choice score - min) / (max - min) over that
  question's choices; multiple choice: sum of chosen scores / sum of all
  scores (so ticking everything is 1); numeric: linear between its min and
  max, clamped; free text and numeric without a range are not scored.
- dimension score = 100 * sum(w_q * s_q) / sum(w_q) over answered, applicable
  questions; None when nothing is answered. coverage = answered weight /
  applicable weight (N/A questions leave both).
- overall = dimension-weighted mean of the dimensions that have a score.
- per model: gap_d = score_d - target_d, distance = sqrt(sum(w_d gap_d^2) /
  sum(w_d)) over scored dimensions, fit = max(0, 100 - distance).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

CHOICE_KINDS = frozenset({"single", "likert", "yesno", "multi"})


@dataclass(frozen=True)
class ChoiceSpec:
    id: int
    score: float


@dataclass(frozen=True)
class QuestionSpec:
    id: int
    code: str
    kind: str
    weight: float
    choices: tuple[ChoiceSpec, ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    required: bool = True

    @property
    def is_scored(self) -> bool:
        if self.kind == "multi":
            return sum(c.score for c in self.choices) > 0
        if self.kind in CHOICE_KINDS:
            return len({c.score for c in self.choices}) >= 2
        if self.kind == "numeric":
            return self.min_value is not None and self.max_value is not None
        return False


@dataclass(frozen=True)
class DimensionSpec:
    code: str
    name: str
    weight: float
    questions: tuple[QuestionSpec, ...]


@dataclass(frozen=True)
class ModelSpec:
    code: str
    name: str
    targets: Mapping[str, float]


@dataclass(frozen=True)
class BandSpec:
    min_score: float
    max_score: float
    label: str


@dataclass(frozen=True)
class RuleSpec:
    dimension: str
    below: float
    text: str


@dataclass(frozen=True)
class BankSpec:
    dimensions: tuple[DimensionSpec, ...]
    models: tuple[ModelSpec, ...] = ()
    bands: tuple[BandSpec, ...] = ()
    rules: tuple[RuleSpec, ...] = ()


@dataclass(frozen=True)
class AnswerValue:
    choice_ids: frozenset[int] = frozenset()
    number: float | None = None
    is_na: bool = False
    text: str = ""


@dataclass(frozen=True)
class QuestionScore:
    question_id: int
    code: str
    dimension: str
    score: float | None
    # Points of the overall score lost on this question (0..100 in total).
    shortfall: float


@dataclass(frozen=True)
class DimensionScore:
    code: str
    name: str
    weight: float
    score: float | None
    coverage: float
    band: str | None


@dataclass(frozen=True)
class ModelFit:
    code: str
    name: str
    distance: float | None
    fit: float | None
    gaps: dict[str, float]


@dataclass(frozen=True)
class Recommendation:
    dimension: str
    text: str
    question_code: str | None = None
    shortfall: float | None = None


@dataclass(frozen=True)
class AssessmentScore:
    overall: float | None
    coverage: float
    band: str | None
    dimensions: tuple[DimensionScore, ...]
    models: tuple[ModelFit, ...]
    best_fit: str | None
    questions: tuple[QuestionScore, ...]
    recommendations: tuple[Recommendation, ...] = field(default=())

    def dimension(self, code: str) -> DimensionScore:
        return next(d for d in self.dimensions if d.code == code)


def question_score(question: QuestionSpec, answer: AnswerValue | None) -> float | None:
    """s_q in [0, 1], or None when unanswered, N/A or not scored."""
    if answer is None or answer.is_na or not question.is_scored:
        return None
    if question.kind in CHOICE_KINDS:
        chosen = [c.score for c in question.choices if c.id in answer.choice_ids]
        if not chosen:
            return None
        if question.kind == "multi":
            top = sum(c.score for c in question.choices)
            return min(sum(chosen), top) / top
        low = min(c.score for c in question.choices)
        high = max(c.score for c in question.choices)
        return (chosen[0] - low) / (high - low)
    if answer.number is None:
        return None
    low, high = question.min_value, question.max_value
    return (min(max(answer.number, low), high) - low) / (high - low)


def is_answered(question: QuestionSpec, answer: AnswerValue | None) -> bool:
    """Answered for progress: N/A counts, as does any value of any kind."""
    if answer is None:
        return False
    if answer.is_na:
        return True
    if question.kind in CHOICE_KINDS:
        return bool(answer.choice_ids)
    if question.kind == "numeric":
        return answer.number is not None
    return bool(answer.text.strip())


def band_for(score: float | None, bands: Sequence[BandSpec]) -> str | None:
    if score is None:
        return None
    for band in bands:
        if band.min_score <= score < band.max_score:
            return band.label
    top = max(bands, key=lambda b: b.max_score, default=None)
    if top is not None and score >= top.max_score:
        return top.label
    return None


def _weighted_mean(pairs: Sequence[tuple[float, float]]) -> float | None:
    total = sum(w for w, _v in pairs)
    if not pairs or total <= 0:
        return None
    return sum(w * v for w, v in pairs) / total


def model_fit(model: ModelSpec, dimensions: Sequence[DimensionScore]) -> ModelFit:
    gaps = {
        d.code: d.score - model.targets[d.code]
        for d in dimensions
        if d.score is not None and d.code in model.targets
    }
    weights = {d.code: d.weight for d in dimensions}
    if not gaps:
        return ModelFit(model.code, model.name, None, None, {})
    mean_square = _weighted_mean([(weights[code], gap * gap) for code, gap in gaps.items()])
    distance = math.sqrt(mean_square)
    return ModelFit(model.code, model.name, distance, max(0.0, 100.0 - distance), gaps)


def score_assessment(
    bank: BankSpec, answers: Mapping[int, AnswerValue], *, top_questions: int = 5
) -> AssessmentScore:
    dimension_scores: list[DimensionScore] = []
    question_scores: list[QuestionScore] = []
    total_dim_weight = sum(d.weight for d in bank.dimensions)
    for dim in bank.dimensions:
        scored = [q for q in dim.questions if q.is_scored]
        applicable = [q for q in scored if not (answers.get(q.id) and answers[q.id].is_na)]
        applicable_weight = sum(q.weight for q in applicable)
        applicable_ids = {q.id for q in applicable}
        pairs = []
        for q in scored:
            s = question_score(q, answers.get(q.id))
            if s is not None:
                pairs.append((q.weight, s))
            shortfall = 0.0
            if q.id in applicable_ids:
                share = (dim.weight / total_dim_weight) * (q.weight / applicable_weight)
                shortfall = 100.0 * share * (1.0 - (s if s is not None else 0.0))
            question_scores.append(QuestionScore(q.id, q.code, dim.code, s, shortfall))
        mean = _weighted_mean(pairs)
        score = None if mean is None else 100.0 * mean
        answered_weight = sum(w for w, _s in pairs)
        coverage = answered_weight / applicable_weight if applicable_weight else 1.0
        dimension_scores.append(
            DimensionScore(
                dim.code, dim.name, dim.weight, score, coverage, band_for(score, bank.bands)
            )
        )

    overall = _weighted_mean([(d.weight, d.score) for d in dimension_scores if d.score is not None])
    coverage = _weighted_mean([(d.weight, d.coverage) for d in dimension_scores]) or 0.0
    fits = tuple(model_fit(m, dimension_scores) for m in bank.models)
    ranked = [f for f in fits if f.fit is not None]
    best = max(ranked, key=lambda f: f.fit).code if ranked else None
    return AssessmentScore(
        overall=overall,
        coverage=coverage,
        band=band_for(overall, bank.bands),
        dimensions=tuple(dimension_scores),
        models=fits,
        best_fit=best,
        questions=tuple(question_scores),
        recommendations=recommendations(
            bank, dimension_scores, question_scores, top_questions=top_questions
        ),
    )


def recommendations(
    bank: BankSpec,
    dimensions: Sequence[DimensionScore],
    questions: Sequence[QuestionScore],
    *,
    top_questions: int = 5,
) -> tuple[Recommendation, ...]:
    """The bank's rules whose dimension scores below their threshold, then the
    answered questions that cost the overall score most."""
    by_code = {d.code: d for d in dimensions}
    out = [
        Recommendation(rule.dimension, rule.text)
        for rule in bank.rules
        if by_code.get(rule.dimension)
        and by_code[rule.dimension].score is not None
        and by_code[rule.dimension].score < rule.below
    ]
    worst = sorted(
        (q for q in questions if q.score is not None and q.shortfall > 0),
        key=lambda q: (-q.shortfall, q.code),
    )[:top_questions]
    out.extend(
        Recommendation(q.dimension, "", question_code=q.code, shortfall=q.shortfall) for q in worst
    )
    return tuple(out)
