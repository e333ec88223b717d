"""Improvement roadmap: what to change, in what order, to bring a model within reach.

Pure functions on top of `scoring.py` (DESIGN.md "Improvement roadmap and what-if").

A step moves one answered, applicable, scored question one level up: a single,
Likert or yes/no answer to the choice with the lowest score above the current one
(equal scores: the first in choice order); a multiple-choice answer by ticking the
unticked option with the highest score (equal: the first); a number to the
smallest of min + k(max - min)/4 (k = 1..4) above it. Unanswered, N/A, free-text
and context questions never appear in a plan.

Each round picks from the first non-empty class: (1) steps that meet an unmet
condition of the target model, or lift a crossed red line that holds the target
back; (2) steps that raise such a question without getting there yet; (3) all
others. Within a class: the largest readiness gain (gains within 1e-9 are equal),
then the heavier question, then bank order. The plan stops when the chosen step
does not help (class 3 and no readiness gain) or after `steps` steps.

Red lines in classes 1 and 2 go beyond DESIGN.md, which names only conditions: a
red line usually needs two levels to lift, and its first level gains nothing while
the cap holds, so without them a plan never repairs a missing safeguard (found by a
first-time user: the roadmap said nothing would help while what-if showed that
fixing the three safeguards put the model within reach). A red line holds the target
back when it is crossed and the target of its dimension is above its cap.

Candidates are ranked from an incremental estimate (one question changes one
dimension's weighted sum); every chosen step is then re-scored in full, so the
numbers a step reports are exactly what `scoring.score_assessment` gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from . import answers as kinds
from .answers import AnswerValue
from .scoring import (
    AssessmentScore,
    BankSpec,
    ModelResult,
    ModelSpec,
    QuestionSpec,
    clamp,
    model_readiness,
    question_score,
    score_assessment,
)

EPSILON = 1e-9
DEFAULT_STEPS = 10


@dataclass(frozen=True)
class Projection:
    readiness: float | None
    overall: float | None
    within_reach: bool


@dataclass(frozen=True)
class Step:
    question: QuestionSpec
    before: AnswerValue
    after: AnswerValue
    readiness: float | None
    dimension_score: float | None
    overall: float | None
    within_reach: bool
    meets_conditions: tuple[str, ...]
    lifts_red_lines: tuple[str, ...] = ()

    @property
    def from_display(self) -> str:
        return kinds.display(self.question, self.before)

    @property
    def to_display(self) -> str:
        return kinds.display(self.question, self.after)


@dataclass(frozen=True)
class Plan:
    model: ModelSpec
    start: Projection
    steps: tuple[Step, ...]
    end: Projection
    final: ModelResult | None

    @property
    def reached_after(self) -> int | None:
        """0 when the model is within reach already; the step that brings it there;
        None when the plan does not reach it."""
        if self.start.within_reach:
            return 0
        return next((n for n, s in enumerate(self.steps, start=1) if s.within_reach), None)


def next_value(question: QuestionSpec, value: AnswerValue) -> AnswerValue | None:
    """The answer one level up, or None when there is no higher level."""
    if question.kind == "multi":
        unticked = [c for c in question.choices if c.id not in value.choice_ids]
        if not unticked:
            return None
        best = max(c.score for c in unticked)
        choice = next(c for c in unticked if c.score == best)
        return replace(value, choice_ids=value.choice_ids | {choice.id})
    if question.has_choices:
        current = max(c.score for c in question.choices if c.id in value.choice_ids)
        higher = [c for c in question.choices if c.score > current]
        if not higher:
            return None
        lowest = min(c.score for c in higher)
        choice = next(c for c in higher if c.score == lowest)
        return replace(value, choice_ids=frozenset([choice.id]))
    low, high = question.min_value, question.max_value
    levels = [low + k * (high - low) / 4 for k in range(1, 5)]
    above = [level for level in levels if level > value.number]
    return replace(value, number=above[0]) if above else None


def _movable(question: QuestionSpec, value: AnswerValue | None) -> bool:
    return value is not None and question_score(question, value) is not None


class _Planner:
    """The answers being planned, with what ranking candidates needs, kept up to date
    one question at a time: each question's score and its next level, and each
    dimension's weighted sums."""

    def __init__(self, bank: BankSpec, model: ModelSpec, answers: Mapping[int, AnswerValue]):
        self.bank = bank
        self.model = model
        self.answers = dict(answers)
        self.weights = {d.code: d.weight for d in bank.dimensions}
        self.s = {q.id: question_score(q, self.answers.get(q.id)) for q in bank.questions}
        self.next: dict[int, tuple[AnswerValue, float]] = {}
        for q in bank.questions:
            self._refresh_next(q)
        self.sums = {d.code: self._sums(d) for d in bank.dimensions}
        self.red_lines: dict[str, list] = {}
        for red_line in bank.red_lines:
            question = bank.question_by_code[red_line.question]
            self.red_lines.setdefault(question.dimension, []).append((question.id, red_line))
        self.score = score_assessment(bank, self.answers)

    def _refresh_next(self, question: QuestionSpec) -> None:
        self.next.pop(question.id, None)
        value = self.answers.get(question.id)
        if _movable(question, value):
            after = next_value(question, value)
            if after is not None:
                self.next[question.id] = (after, question_score(question, after))

    def _sums(self, dimension) -> tuple[float, float]:
        total = weighted = 0.0
        for q in dimension.questions:
            s = self.s[q.id]
            if s is not None:
                total += q.weight
                weighted += q.weight * s
        return total, weighted

    def apply(self, question: QuestionSpec, after: AnswerValue) -> None:
        self.answers[question.id] = after
        self.s[question.id] = question_score(question, after)
        self._refresh_next(question)
        dimension = self.bank.dimension(question.dimension)
        self.sums[dimension.code] = self._sums(dimension)
        self.score = score_assessment(self.bank, self.answers)

    def readiness_after(self, question: QuestionSpec, new: float) -> float | None:
        """Readiness of the target if `question` scored `new`, other answers unchanged."""
        code = question.dimension
        total, weighted = self.sums[code]
        raw = clamp(100.0 * (weighted + question.weight * (new - self.s[question.id])) / total)
        caps = []
        for qid, red_line in self.red_lines.get(code, ()):
            s = new if qid == question.id else self.s[qid]
            if s is not None and s < red_line.below:
                caps.append(red_line.cap)
        shortfalls = {}
        targets = self.model.targets
        for d in self.score.dimensions:
            score = clamp(min([raw, *caps])) if d.code == code else d.score
            shortfalls[d.code] = (
                None if score is None else max(0.0, targets.get(d.code, 0.0) - score)
            )
        return model_readiness(shortfalls, self.weights)

    def best_step(self):
        """(question, new value, helps) of the best step, or None when nothing can move."""
        result = self.score.model(self.model.code)
        readiness = result.readiness
        unmet: dict[str, list[float]] = {}
        for condition in result.conditions:
            if condition.status == "unmet":
                unmet.setdefault(condition.question, []).append(condition.at_least)
        for red_line in self.score.triggered_red_lines:
            if self.model.targets.get(red_line.dimension, 0.0) > red_line.cap:
                unmet.setdefault(red_line.question, []).append(red_line.below)
        best = None  # (priority, gain, question, after)
        for question in self.bank.questions:
            candidate = self.next.get(question.id)
            if candidate is None:
                continue
            after, new = candidate
            thresholds = unmet.get(question.code, ())
            if any(new >= t for t in thresholds):
                priority = 1
            elif thresholds and new > self.s[question.id]:
                priority = 2
            else:
                priority = 3
            estimate = self.readiness_after(question, new)
            gain = 0.0 if readiness is None or estimate is None else estimate - readiness
            if best is None or _better(priority, gain, question, best):
                best = (priority, gain, question, after)
        if best is None:
            return None
        priority, gain, question, after = best
        return question, after, priority < 3 or gain > EPSILON


def plan(
    bank: BankSpec,
    answers: Mapping[int, AnswerValue],
    model_code: str,
    *,
    steps: int = DEFAULT_STEPS,
) -> Plan:
    model = bank.model(model_code)
    if model is None:
        raise KeyError(model_code)
    planner = _Planner(bank, model, answers)
    start = _projection(planner.score, model_code)
    chosen: list[Step] = []
    while len(chosen) < steps:
        best = planner.best_step()
        if best is None or not best[2]:
            break
        question, after, _helps = best
        before = planner.answers[question.id]
        unmet_before = _unmet_conditions(planner.score, model_code)
        crossed_before = {r.question for r in planner.score.triggered_red_lines}
        planner.apply(question, after)
        score = planner.score
        result = score.model(model_code)
        chosen.append(
            Step(
                question=question,
                before=before,
                after=after,
                readiness=result.readiness,
                dimension_score=score.dimension(question.dimension).score,
                overall=score.overall,
                within_reach=result.within_reach,
                meets_conditions=tuple(sorted(unmet_before - _unmet_conditions(score, model_code))),
                lifts_red_lines=tuple(
                    sorted(crossed_before - {r.question for r in score.triggered_red_lines})
                ),
            )
        )
    score = planner.score
    return Plan(
        model, start, tuple(chosen), _projection(score, model_code), score.model(model_code)
    )


def _projection(score: AssessmentScore, model_code: str) -> Projection:
    result = score.model(model_code)
    return Projection(result.readiness, score.overall, result.within_reach)


def _unmet_conditions(score: AssessmentScore, model_code: str) -> set[str]:
    return {c.question for c in score.model(model_code).conditions if c.status == "unmet"}


def _better(priority: int, gain: float, question: QuestionSpec, best) -> bool:
    """Class first, then readiness gain (within EPSILON is a tie), then weight; on a
    full tie the earlier question in bank order (seen first) stays."""
    best_priority, best_gain, best_question, _after = best
    if priority != best_priority:
        return priority < best_priority
    if abs(gain - best_gain) > EPSILON:
        return gain > best_gain
    return question.weight > best_question.weight
