"""Machine-readable exports: JSON (full precision) and CSV."""

import csv
import io

from frameworks.models import Question

from .. import scoring
from ..models import Answer, Assessment
from ..selectors import answer_value, answers_by_question, bank_spec


def answer_export_value(question: Question, answer: Answer):
    if answer.is_na:
        return None
    if question.kind == Question.Kind.MULTI:
        return [c.label for c in answer.choices.all()]
    if question.has_choices:
        labels = [c.label for c in answer.choices.all()]
        return labels[0] if labels else None
    if question.kind == Question.Kind.NUMERIC:
        return answer.number
    return answer.text


def assessment_export(assessment: Assessment) -> dict:
    """The JSON export (schema in README.md). Numbers are not rounded."""
    answers = answers_by_question(assessment)
    bank = bank_spec(assessment.framework)
    score = scoring.score_assessment(bank, {q: answer_value(a) for q, a in answers.items()})
    questions = Question.objects.filter(framework_id=assessment.framework_id).select_related(
        "dimension"
    )
    return {
        "id": assessment.pk,
        "partnership": {
            "id": assessment.partnership_id,
            "name": assessment.partnership.name,
            "countries": assessment.partnership.country_list,
            "declared_model": assessment.partnership.declared_model,
        },
        "framework": {"slug": assessment.framework.slug, "version": assessment.framework.version},
        "status": assessment.status,
        "marking": assessment.marking,
        "owner": assessment.owner.get_username(),
        "created_at": assessment.created_at.isoformat(),
        "overall": score.overall,
        "coverage": score.coverage,
        "maturity": score.band,
        "dimensions": {
            d.code: {"name": d.name, "score": d.score, "coverage": d.coverage, "maturity": d.band}
            for d in score.dimensions
        },
        "models": {
            m.code: {"name": m.name, "fit": m.fit, "distance": m.distance, "gaps": m.gaps}
            for m in score.models
        },
        "best_fit": score.best_fit,
        "answers": [
            {
                "question": q.code,
                "dimension": q.dimension.code,
                "value": answer_export_value(q, answers[q.pk]),
                "na": answers[q.pk].is_na,
                "comment": answers[q.pk].comment,
            }
            for q in questions
            if q.pk in answers
        ],
    }


def _safe_cell(value):
    # Spreadsheets run cells that start with these as formulas.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(header: list[str], rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe_cell(v) for v in row])
    return out.getvalue()


def answers_csv(assessment: Assessment) -> str:
    data = assessment_export(assessment)
    rows = []
    for a in data["answers"]:
        value = a["value"]
        if isinstance(value, list):
            value = "; ".join(value)
        rows.append([a["question"], a["dimension"], value, "yes" if a["na"] else "", a["comment"]])
    return to_csv(["question", "dimension", "answer", "na", "comment"], rows)


def scores_csv(assessment: Assessment) -> str:
    data = assessment_export(assessment)
    rows = [
        [code, d["name"], d["score"], d["coverage"], d["maturity"]]
        for code, d in data["dimensions"].items()
    ]
    rows.append(["overall", "Overall", data["overall"], data["coverage"], data["maturity"]])
    return to_csv(["dimension", "name", "score", "coverage", "maturity"], rows)
