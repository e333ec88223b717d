"""Methodology version 2: scores, coverage, red lines, model readiness, confidence
and progress. Pure functions of plain data; nothing here imports Django.

The formulas are DESIGN.md "Scoring (v2)" and README.md "Methodology":

- s_q in [0, 1] per answered, applicable, scored question (see `answers.py`);
- R_d = 100 * sum(w s) / sum(w); S_d = min(R_d, caps of triggered red lines);
- coverage_d = answered applicable scored weight / applicable scored weight
  (None when nothing is applicable); overall coverage = weighted mean of the rest;
- O = sum(W_d S_d) / sum(W_d) over scored dimensions;
- per model: shortfall = max(0, target - S_d), readiness = max(0, 100 -
  sqrt(sum(W_d shortfall^2) / sum(W_d))), demand = sum(W_d target) / sum(W_d),
  conditions met / unmet / unknown, within reach = readiness >= ready_at and
  every condition met.

Every score is clamped to [0, 100] where it is computed, so rounding in a
weighted mean can never give 100.00000000000001.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from .answers import CONFIDENCE_LEVELS, AnswerValue, has_value, kind_of

METHODOLOGY_VERSION = 2
DEFAULT_READY_AT = 90.0


# The bank, as scoring reads it ----------------------------------------------------


@dataclass(frozen=True)
class ChoiceSpec:
    id: int
    label: str
    score: float


@dataclass(frozen=True)
class QuestionSpec:
    id: int
    code: str
    kind: str
    text: str = ""
    dimension: str = ""
    weight: float = 1.0
    guidance: str = ""
    required: bool = True
    allow_na: bool = False
    scored: bool = True
    choices: tuple[ChoiceSpec, ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    unit: str = ""
    references: tuple[str, ...] = ()

    @cached_property
    def is_scored(self) -> bool:
        """Feeds a score: not marked as context, and its kind has a scale."""
        return self.scored and kind_of(self).has_scale(self)

    @property
    def has_choices(self) -> bool:
        return kind_of(self).has_choices


@dataclass(frozen=True)
class DimensionSpec:
    code: str
    name: str
    weight: float
    questions: tuple[QuestionSpec, ...]
    description: str = ""


@dataclass(frozen=True)
class ConditionSpec:
    question: str
    at_least: float
    why: str = ""


@dataclass(frozen=True)
class ModelSpec:
    code: str
    name: str
    targets: Mapping[str, float]
    conditions: tuple[ConditionSpec, ...] = ()
    rationales: Mapping[str, str] = field(default_factory=dict)
    description: str = ""
    strengths: str = ""
    weaknesses: str = ""


@dataclass(frozen=True)
class RedLineSpec:
    question: str
    below: float
    cap: float
    reason: str = ""


@dataclass(frozen=True)
class BandSpec:
    min_score: float
    max_score: float
    label: str
    description: str = ""


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
    red_lines: tuple[RedLineSpec, ...] = ()
    ready_at: float = DEFAULT_READY_AT
    slug: str = ""
    version: int = 0
    title: str = ""

    @cached_property
    def questions(self) -> tuple[QuestionSpec, ...]:
        return tuple(q for d in self.dimensions for q in d.questions)

    @cached_property
    def question_by_id(self) -> dict[int, QuestionSpec]:
        return {q.id: q for q in self.questions}

    @cached_property
    def question_by_code(self) -> dict[str, QuestionSpec]:
        return {q.code: q for q in self.questions}

    def dimension(self, code: str) -> DimensionSpec:
        return next(d for d in self.dimensions if d.code == code)

    def model(self, code: str) -> ModelSpec | None:
        return next((m for m in self.models if m.code == code), None)


Answers = Mapping[int, AnswerValue]


# Results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ConfidenceShares:
    """Share of a dimension's answered scored weight at each confidence level."""

    high: float | None = None
    medium: float | None = None
    low: float | None = None
    unrated: float | None = None


@dataclass(frozen=True)
class QuestionResult:
    id: int
    code: str
    dimension: str
    score: float | None
    answered: bool


@dataclass(frozen=True)
class DimensionResult:
    code: str
    name: str
    weight: float
    raw_score: float | None
    score: float | None
    capped_by: tuple[str, ...]
    coverage: float | None
    band: str | None
    confidence: ConfidenceShares

    @property
    def cap_binds(self) -> bool:
        """A crossed red line lowers the score: the uncapped score is above the cap.
        When it is not, the red line is still crossed, but the score is its own."""
        return bool(self.capped_by) and self.raw_score is not None and self.score < self.raw_score


@dataclass(frozen=True)
class RedLineResult:
    question: str
    dimension: str
    below: float
    cap: float
    reason: str
    triggered: bool


@dataclass(frozen=True)
class ConditionResult:
    question: str
    at_least: float
    why: str
    status: str  # met | unmet | unknown


@dataclass(frozen=True)
class ModelResult:
    code: str
    name: str
    readiness: float | None
    demand: float
    shortfalls: Mapping[str, float | None]
    conditions: tuple[ConditionResult, ...]
    within_reach: bool

    @property
    def unmet_conditions(self) -> tuple[ConditionResult, ...]:
        return tuple(c for c in self.conditions if c.status != "met")


@dataclass(frozen=True)
class Recommendation:
    dimension: str
    text: str


@dataclass(frozen=True)
class AssessmentScore:
    overall: float | None
    coverage: float | None
    band: str | None
    dimensions: tuple[DimensionResult, ...]
    models: tuple[ModelResult, ...]
    red_lines: tuple[RedLineResult, ...]
    supported_models: tuple[str, ...]
    closest_model: str | None
    questions: tuple[QuestionResult, ...]
    recommendations: tuple[Recommendation, ...]

    def dimension(self, code: str) -> DimensionResult:
        return next(d for d in self.dimensions if d.code == code)

    def model(self, code: str) -> ModelResult | None:
        return next((m for m in self.models if m.code == code), None)

    @property
    def triggered_red_lines(self) -> tuple[RedLineResult, ...]:
        return tuple(r for r in self.red_lines if r.triggered)


@dataclass(frozen=True)
class DimensionProgress:
    code: str
    done: int
    total: int
    missing_required: tuple[str, ...]

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


@dataclass(frozen=True)
class Progress:
    dimensions: tuple[DimensionProgress, ...]

    @property
    def done(self) -> int:
        return sum(d.done for d in self.dimensions)

    @property
    def total(self) -> int:
        return sum(d.total for d in self.dimensions)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def missing_required(self) -> tuple[str, ...]:
        return tuple(code for d in self.dimensions for code in d.missing_required)

    def of(self, code: str) -> DimensionProgress:
        return next(d for d in self.dimensions if d.code == code)


# Formulas --------------------------------------------------------------------------


def clamp(value: float, low: float = 0.0, high: float = 100.0) -> float:
    return min(max(value, low), high)


def question_score(question: QuestionSpec, answer: AnswerValue | None) -> float | None:
    """s_q in [0, 1], or None when unanswered, N/A or not scored."""
    if answer is None or answer.is_na or not question.is_scored:
        return None
    score = kind_of(question).score(question, answer)
    return None if score is None else clamp(score, 0.0, 1.0)


def band_for(score: float | None, bands: Sequence[BandSpec]) -> str | None:
    """min <= score < max; the top band includes its max (100)."""
    if score is None:
        return None
    for band in bands:
        if band.min_score <= score < band.max_score:
            return band.label
    top = max(bands, key=lambda b: b.max_score, default=None)
    if top is not None and score >= top.max_score:
        return top.label
    return None


def weighted_mean(pairs: Sequence[tuple[float, float]]) -> float | None:
    """sum(w v) / sum(w) over (w, v) pairs; None when there are none."""
    total = sum(w for w, _v in pairs)
    if not pairs or total <= 0:
        return None
    return sum(w * v for w, v in pairs) / total


def dimension_raw_score(
    dimension: DimensionSpec, answers: Answers
) -> tuple[float | None, float | None]:
    """(R_d, coverage_d) of one dimension."""
    pairs = []
    applicable_weight = 0.0
    for q in dimension.questions:
        if not q.is_scored:
            continue
        answer = answers.get(q.id)
        if answer is not None and answer.is_na:
            continue
        applicable_weight += q.weight
        s = question_score(q, answer)
        if s is not None:
            pairs.append((q.weight, s))
    mean = weighted_mean(pairs)
    raw = None if mean is None else clamp(100.0 * mean)
    coverage = (
        clamp(sum(w for w, _s in pairs) / applicable_weight, 0.0, 1.0)
        if applicable_weight > 0
        else None
    )
    return raw, coverage


def red_line_triggered(red_line: RedLineSpec, bank: BankSpec, answers: Answers) -> bool:
    question = bank.question_by_code[red_line.question]
    s = question_score(question, answers.get(question.id))
    return s is not None and s < red_line.below


def capped_score(
    raw: float | None, red_lines: Sequence[RedLineSpec]
) -> tuple[float | None, tuple[str, ...]]:
    """S_d from R_d and the dimension's triggered red lines."""
    if raw is None:
        return None, ()
    capped_by = tuple(r.question for r in red_lines)
    score = min([raw, *(r.cap for r in red_lines)])
    return clamp(score), capped_by


def confidence_shares(dimension: DimensionSpec, answers: Answers) -> ConfidenceShares:
    weights = dict.fromkeys((*CONFIDENCE_LEVELS, "unrated"), 0.0)
    for q in dimension.questions:
        answer = answers.get(q.id)
        if question_score(q, answer) is None:
            continue
        weights[answer.confidence if answer.confidence in CONFIDENCE_LEVELS else "unrated"] += (
            q.weight
        )
    total = sum(weights.values())
    if total <= 0:
        return ConfidenceShares()
    return ConfidenceShares(**{level: w / total for level, w in weights.items()})


def condition_status(condition: ConditionSpec, bank: BankSpec, answers: Answers) -> str:
    question = bank.question_by_code[condition.question]
    answer = answers.get(question.id)
    if not has_value(question, answer):
        return "unknown"
    s = question_score(question, answer)
    return "met" if s is not None and s >= condition.at_least else "unmet"


def model_result(
    model: ModelSpec,
    dimensions: Sequence[DimensionResult],
    bank: BankSpec,
    answers: Answers,
) -> ModelResult:
    shortfalls = {
        d.code: None if d.score is None else max(0.0, model.targets.get(d.code, 0.0) - d.score)
        for d in dimensions
    }
    weights = {d.code: d.weight for d in dimensions}
    readiness = model_readiness(shortfalls, weights)
    conditions = tuple(
        ConditionResult(c.question, c.at_least, c.why, condition_status(c, bank, answers))
        for c in model.conditions
    )
    return ModelResult(
        code=model.code,
        name=model.name,
        readiness=readiness,
        demand=model_demand(model, weights),
        shortfalls=shortfalls,
        conditions=conditions,
        within_reach=readiness is not None
        and readiness >= bank.ready_at
        and all(c.status == "met" for c in conditions),
    )


def model_readiness(
    shortfalls: Mapping[str, float | None], weights: Mapping[str, float]
) -> float | None:
    """max(0, 100 - weighted root-mean-square shortfall) over scored dimensions."""
    mean_square = weighted_mean(
        [(weights[code], gap * gap) for code, gap in shortfalls.items() if gap is not None]
    )
    if mean_square is None:
        return None
    return clamp(100.0 - math.sqrt(mean_square))


def model_demand(model: ModelSpec, weights: Mapping[str, float]) -> float:
    """How much a model asks for: the weighted mean of its targets."""
    mean = weighted_mean([(w, model.targets.get(code, 0.0)) for code, w in weights.items()])
    return 0.0 if mean is None else mean


def score_assessment(bank: BankSpec, answers: Answers) -> AssessmentScore:
    red_line_results = []
    triggered_by_dimension: dict[str, list[RedLineSpec]] = {}
    for red_line in bank.red_lines:
        question = bank.question_by_code[red_line.question]
        triggered = red_line_triggered(red_line, bank, answers)
        if triggered:
            triggered_by_dimension.setdefault(question.dimension, []).append(red_line)
        red_line_results.append(
            RedLineResult(
                red_line.question,
                question.dimension,
                red_line.below,
                red_line.cap,
                red_line.reason,
                triggered,
            )
        )

    dimensions = []
    for dim in bank.dimensions:
        raw, coverage = dimension_raw_score(dim, answers)
        score, capped_by = capped_score(raw, triggered_by_dimension.get(dim.code, ()))
        dimensions.append(
            DimensionResult(
                code=dim.code,
                name=dim.name,
                weight=dim.weight,
                raw_score=raw,
                score=score,
                capped_by=capped_by,
                coverage=coverage,
                band=band_for(score, bank.bands),
                confidence=confidence_shares(dim, answers),
            )
        )

    overall = weighted_mean([(d.weight, d.score) for d in dimensions if d.score is not None])
    overall = None if overall is None else clamp(overall)
    coverage = weighted_mean([(d.weight, d.coverage) for d in dimensions if d.coverage is not None])
    models = tuple(model_result(m, dimensions, bank, answers) for m in bank.models)
    return AssessmentScore(
        overall=overall,
        coverage=coverage,
        band=band_for(overall, bank.bands),
        dimensions=tuple(dimensions),
        models=models,
        red_lines=tuple(red_line_results),
        supported_models=supported_models(models),
        closest_model=closest_model(models),
        questions=tuple(
            QuestionResult(
                q.id,
                q.code,
                q.dimension,
                question_score(q, answers.get(q.id)),
                has_value(q, answers.get(q.id)),
            )
            for q in bank.questions
        ),  # fmt: skip
        recommendations=recommendations(bank, dimensions),
    )


def supported_models(models: Sequence[ModelResult]) -> tuple[str, ...]:
    """Models within reach, most demanding first (ties keep bank order)."""
    within = [(i, m) for i, m in enumerate(models) if m.within_reach]
    return tuple(m.code for _i, m in sorted(within, key=lambda pair: (-pair[1].demand, pair[0])))


def closest_model(models: Sequence[ModelResult]) -> str | None:
    """Highest readiness; ties go to the more demanding model, then bank order."""
    ranked = [(i, m) for i, m in enumerate(models) if m.readiness is not None]
    if not ranked:
        return None
    _i, best = min(ranked, key=lambda pair: (-pair[1].readiness, -pair[1].demand, pair[0]))
    return best.code


def recommendations(
    bank: BankSpec, dimensions: Sequence[DimensionResult]
) -> tuple[Recommendation, ...]:
    """The bank's rules whose dimension scores below their threshold."""
    by_code = {d.code: d for d in dimensions}
    return tuple(
        Recommendation(rule.dimension, rule.text)
        for rule in bank.rules
        if by_code[rule.dimension].score is not None and by_code[rule.dimension].score < rule.below
    )


def progress(bank: BankSpec, answers: Answers) -> Progress:
    """Questions answered (N/A counts) and required ones still missing, per dimension."""
    return Progress(
        tuple(
            DimensionProgress(
                code=dim.code,
                done=sum(1 for q in dim.questions if has_value(q, answers.get(q.id))),
                total=len(dim.questions),
                missing_required=tuple(
                    q.code
                    for q in dim.questions
                    if q.required and not has_value(q, answers.get(q.id))
                ),
            )
            for dim in bank.dimensions
        )
    )


def is_provisional(score: AssessmentScore, threshold: float) -> bool:
    """Too little is answered to claim a level: coverage below `threshold` (0..1)."""
    return score.coverage is None or score.coverage < threshold


# Banks from their plain form -------------------------------------------------------


def bank_from_dict(data: Mapping) -> BankSpec:
    """A bank from the normalised dict of `frameworks.io` (a parsed file or an export).

    Questions and choices carry their database ids when the dict has them
    (`framework_to_dict(..., with_ids=True)`); otherwise they are numbered in
    bank order, which is how a report's embedded bank is re-scored.
    """
    counter = iter(range(1, 10**9))
    dimensions = []
    for d in data["dimensions"]:
        questions = []
        for q in d["questions"]:
            questions.append(
                QuestionSpec(
                    id=q.get("id") or next(counter),
                    code=q["code"],
                    kind=q["kind"],
                    text=q["text"],
                    dimension=d["code"],
                    weight=q["weight"],
                    guidance=q.get("guidance", ""),
                    required=q["required"],
                    allow_na=q["allow_na"],
                    scored=q.get("scored", True),
                    choices=tuple(
                        ChoiceSpec(c.get("id") or next(counter), c["label"], c["score"])
                        for c in q.get("choices") or ()
                    ),
                    min_value=q.get("min"),
                    max_value=q.get("max"),
                    unit=q.get("unit") or "",
                    references=tuple(q.get("references") or ()),
                )
            )
        dimensions.append(
            DimensionSpec(d["code"], d["name"], d["weight"], tuple(questions), d["description"])
        )
    return BankSpec(
        dimensions=tuple(dimensions),
        models=tuple(
            ModelSpec(
                code=m["code"],
                name=m["name"],
                targets={p["dimension"]: p["target"] for p in m["profile"]},
                conditions=tuple(
                    ConditionSpec(c["question"], c["at_least"], c["why"])
                    for c in m.get("conditions") or ()
                ),
                rationales={p["dimension"]: p["rationale"] for p in m["profile"]},
                description=m["description"],
                strengths=m["strengths"],
                weaknesses=m["weaknesses"],
            )
            for m in data["models"]
        ),
        bands=tuple(
            BandSpec(b["min"], b["max"], b["label"], b.get("description", ""))
            for b in data["maturity_bands"]
        ),
        rules=tuple(
            RuleSpec(d["code"], r["below"], r["text"])
            for d in data["dimensions"]
            for r in d.get("recommendations") or ()
        ),
        red_lines=tuple(
            RedLineSpec(r["question"], r["below"], r["cap"], r["reason"])
            for r in data.get("red_lines") or ()
        ),
        ready_at=data.get("ready_at", DEFAULT_READY_AT),
        slug=data["slug"],
        version=data["version"],
        title=data["title"],
    )
