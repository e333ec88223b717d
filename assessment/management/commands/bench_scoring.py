"""Time scoring a 200-question assessment. Pure Python: no database involved."""

import random
import statistics
import time

from django.core.management.base import BaseCommand

from assessment import roadmap
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
    RuleSpec,
    score_assessment,
)

KINDS = ["single", "likert", "multi", "numeric"]


def synthetic_bank(questions: int, dimensions: int = 4) -> tuple[BankSpec, dict]:
    """Mixed kinds, some N/A, red lines and conditions: what methodology v2 computes."""
    rng = random.Random(7)
    dims, answers, qid = [], {}, 0
    for d in range(dimensions):
        qs = []
        for _ in range(questions // dimensions):
            qid += 1
            kind = KINDS[qid % 4]
            code = f"Q{qid}"
            if kind == "numeric":
                qs.append(
                    QuestionSpec(qid, code, kind, dimension=f"d{d}", min_value=0, max_value=10)
                )
                answers[qid] = AnswerValue(number=rng.uniform(0, 10), confidence="high")
                continue
            choices = tuple(ChoiceSpec(qid * 10 + i, f"C{i}", float(i)) for i in range(5))
            qs.append(
                QuestionSpec(
                    qid, code, kind, dimension=f"d{d}", weight=rng.uniform(0.5, 2),
                    choices=choices, allow_na=qid % 7 != 1,
                )
            )  # fmt: skip
            if qid % 7 != 1 and rng.random() < 0.1:
                answers[qid] = AnswerValue(is_na=True)
            else:
                picked = rng.sample(choices, 2 if kind == "multi" else 1)
                answers[qid] = AnswerValue(
                    frozenset(c.id for c in picked), confidence=rng.choice(["", "low", "high"])
                )
        dims.append(DimensionSpec(f"d{d}", f"D{d}", 1.0, tuple(qs)))
    red_lines = tuple(RedLineSpec(f"Q{1 + 7 * d}", 0.5, 40, "r") for d in range(dimensions))
    models = tuple(
        ModelSpec(
            code, code, {f"d{d}": rng.uniform(20, 90) for d in range(dimensions)},
            conditions=(ConditionSpec(f"Q{8 + 7 * m}", 0.75),),
        )
        for m, code in enumerate(("bilateral", "multilateral", "informal"))
    )  # fmt: skip
    bands = tuple(BandSpec(i * 20, i * 20 + 20, f"B{i}") for i in range(5))
    rules = tuple(RuleSpec(f"d{d}", 60, "r") for d in range(dimensions))
    return BankSpec(tuple(dims), models, bands, rules, red_lines), answers


class Command(BaseCommand):
    help = "Benchmark scoring: median time to score a 200-question assessment."

    def add_arguments(self, parser):
        parser.add_argument("--questions", type=int, default=200)
        parser.add_argument("--runs", type=int, default=200)

    def handle(self, *args, questions: int, runs: int, **options):
        bank, answers = synthetic_bank(questions)
        score_assessment(bank, answers)
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            score_assessment(bank, answers)
            timings.append(time.perf_counter() - start)
        self._report(f"scoring {questions} questions (methodology v2)", timings)
        # Roadmap: all answers at the lowest level, so every step has room to move.
        low = {
            qid: (AnswerValue(frozenset([min(bank.question_by_id[qid].choices,
                                             key=lambda c: c.score).id]))
                  if bank.question_by_id[qid].has_choices else AnswerValue(number=0))
            for qid in answers
        }  # fmt: skip
        plan_runs = max(5, runs // 10)
        timings = []
        for _ in range(plan_runs):
            start = time.perf_counter()
            result = roadmap.plan(bank, low, "multilateral", steps=10)
            timings.append(time.perf_counter() - start)
        self._report(f"roadmap, {len(result.steps)} steps, {questions} questions", timings)

    def _report(self, what: str, timings: list[float]) -> None:
        timings.sort()
        self.stdout.write(
            f"{what}, {len(timings)} runs: median {statistics.median(timings) * 1000:.3f} ms, "
            f"p95 {timings[int(0.95 * (len(timings) - 1))] * 1000:.3f} ms"
        )
