"""Time scoring a 200-question assessment. Pure Python: no database involved."""

import random
import statistics
import time

from django.core.management.base import BaseCommand

from assessment.scoring import (
    AnswerValue,
    BandSpec,
    BankSpec,
    ChoiceSpec,
    DimensionSpec,
    ModelSpec,
    QuestionSpec,
    RuleSpec,
    score_assessment,
)


def synthetic_bank(questions: int, dimensions: int = 4) -> tuple[BankSpec, dict]:
    rng = random.Random(7)
    dims, answers, qid = [], {}, 0
    for d in range(dimensions):
        qs = []
        for _ in range(questions // dimensions):
            qid += 1
            kind = ["single", "likert", "multi", "numeric"][qid % 4]
            if kind == "numeric":
                qs.append(QuestionSpec(qid, f"Q{qid}", kind, 1.0, min_value=0, max_value=10))
                answers[qid] = AnswerValue(number=rng.uniform(0, 10))
                continue
            choices = tuple(ChoiceSpec(qid * 10 + i, float(i)) for i in range(5))
            qs.append(QuestionSpec(qid, f"Q{qid}", kind, rng.uniform(0.5, 2), choices))
            if rng.random() < 0.1:
                answers[qid] = AnswerValue(is_na=True)
            else:
                picked = rng.sample(choices, 2 if kind == "multi" else 1)
                answers[qid] = AnswerValue(frozenset(c.id for c in picked))
        dims.append(DimensionSpec(f"d{d}", f"D{d}", 1.0, tuple(qs)))
    models = tuple(
        ModelSpec(code, code, {f"d{d}": rng.uniform(20, 90) for d in range(dimensions)})
        for code in ("bilateral", "multilateral", "informal")
    )
    bands = tuple(BandSpec(i * 20, i * 20 + 20, f"B{i}") for i in range(5))
    rules = tuple(RuleSpec(f"d{d}", 60, "r") for d in range(dimensions))
    return BankSpec(tuple(dims), models, bands, rules), answers


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
        timings.sort()
        self.stdout.write(
            f"scoring {questions} questions, {runs} runs: "
            f"median {statistics.median(timings) * 1000:.3f} ms, "
            f"p95 {timings[int(0.95 * (runs - 1))] * 1000:.3f} ms"
        )
