"""Machine-readable exports: JSON (full precision, schema in README.md) and CSV.

The JSON export is a serialisation of the assessment snapshot; the CSV files are
for spreadsheets: UTF-8 with a byte-order mark (Excel needs it), the handling
marking on the first row, numbers rounded to two decimals.
"""

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict

from django.utils import timezone
from django.utils.text import slugify

from .. import answers, scoring
from ..roadmap import Plan
from ..selectors import AssessmentSnapshot

SCHEMA_VERSION = 2


def assessment_export(snapshot: AssessmentSnapshot) -> dict:
    """The JSON export. Numbers are not rounded."""
    a, score, bank = snapshot.assessment, snapshot.score, snapshot.bank
    return {
        "schema_version": SCHEMA_VERSION,
        "methodology_version": scoring.METHODOLOGY_VERSION,
        "id": a.pk,
        "partnership": {
            "id": a.partnership_id,
            "name": a.partnership.name,
            "countries": a.partnership.country_list,
            "declared_model": a.partnership.declared_model,
        },
        "framework": {"slug": bank.slug, "version": bank.version, "title": bank.title},
        "status": a.status,
        "marking": a.marking,
        "owner": a.owner.get_username(),
        "created_at": a.created_at.isoformat(),
        **score_export(score, provisional=snapshot.provisional),
        "answers": [
            {
                "question": q.code,
                "dimension": q.dimension,
                "value": answers.export_value(q, snapshot.answers[q.id]),
                "na": snapshot.answers[q.id].is_na,
                "comment": snapshot.answers[q.id].comment,
                "confidence": snapshot.answers[q.id].confidence or None,
            }
            for q in bank.questions
            if q.id in snapshot.answers
        ],
        **independent_export(snapshot),
    }


def score_export(score: scoring.AssessmentScore, *, provisional: bool) -> dict:
    """Every number of the JSON export. Report verification re-scores the embedded
    answers and compares what this returns with the embedded export, field by field."""
    return {
        "overall": score.overall,
        "coverage": score.coverage,
        "maturity": None if provisional else score.band,
        "provisional": provisional,
        "dimensions": {
            d.code: {
                "name": d.name,
                "raw_score": d.raw_score,
                "score": d.score,
                "capped_by": list(d.capped_by),
                "coverage": d.coverage,
                "maturity": None if provisional else d.band,
                "confidence": asdict(d.confidence),
            }
            for d in score.dimensions
        },
        "models": {
            m.code: {
                "name": m.name,
                "readiness": m.readiness,
                "demand": m.demand,
                "shortfalls": dict(m.shortfalls),
                "conditions": [
                    {
                        "question": c.question,
                        "at_least": c.at_least,
                        "status": c.status,
                        "why": c.why,
                    }
                    for c in m.conditions
                ],  # fmt: skip
                "within_reach": m.within_reach,
            }
            for m in score.models
        },
        "red_lines": [asdict(r) for r in score.red_lines],
        "supported_models": list(score.supported_models),
        "closest_model": score.closest_model,
    }


def independent_export(snapshot: AssessmentSnapshot) -> dict:
    """Respondents and agreement of independent answers. Before every set is in, only
    who the respondents are: their progress and answers stay blind."""
    sets = snapshot.sets
    if sets is None:
        return {"respondents": [], "agreement": None}
    respondents = [
        {"user": r.user.get_username(), "status": r.status if sets.revealed else None}
        for r in sets.respondents
    ]
    if snapshot.agreement is None:
        return {"respondents": respondents, "agreement": None}
    names = [r.user.get_username() for r in sets.active]
    by_pk = {r.pk: r.user.get_username() for r in sets.respondents}
    agreement = snapshot.agreement
    return {
        "respondents": respondents,
        "agreement": {
            "alpha": agreement.alpha,
            "alpha_questions": agreement.alpha_questions,
            "disagreement_spread": agreement.threshold,
            "questions": [
                {
                    "question": row.question.code,
                    "spread": row.spread,
                    "disagreement": row.disagreement,
                    "values": {
                        name: None if v is None else answers.export_value(row.question, v)
                        for name, v in zip(names, row.values, strict=True)
                    },
                    "na": [
                        name
                        for name, v in zip(names, row.values, strict=True)
                        if v is not None and v.is_na
                    ],
                    "comments": {
                        name: v.comment
                        for name, v in zip(names, row.values, strict=True)
                        if v is not None and v.comment
                    },
                    "modal": [answers.export_value(row.question, v) for v in row.modal],
                    "rationale": record.rationale if record else None,
                    "reconciled_from": by_pk.get(record.reconciled_from) if record else None,
                    "changed_after_reconciliation_by": record.updated_by
                    if record and record.changed_after_reconciliation
                    else None,
                }
                for row in agreement.questions
                for record in [snapshot.records.get(row.question.id)]
            ],
        },
    }


def _safe_cell(value):
    # Spreadsheets run cells that start with these as formulas.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    if isinstance(value, float):
        return round(value, 2)
    return value


def to_csv(marking_line: str, header: Sequence[str], rows: Iterable[Sequence]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_safe_cell(marking_line)])
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe_cell(v) for v in row])
    return out.getvalue()


def answers_csv(snapshot: AssessmentSnapshot) -> str:
    rows = []
    for q in snapshot.bank.questions:
        value = snapshot.answers.get(q.id)
        if value is None:
            continue
        exported = answers.export_value(q, value)
        if isinstance(exported, list):
            exported = "; ".join(exported)
        elif isinstance(exported, float):
            exported = answers.number_text(exported)  # as typed: 2, not 2.0
        rows.append(
            [q.code, q.dimension, exported, "yes" if value.is_na else "", value.confidence,
             value.comment]
        )  # fmt: skip
    return to_csv(
        snapshot.assessment.marking,
        ["question", "dimension", "answer", "na", "confidence", "comment"],
        rows,
    )


def scores_csv(snapshot: AssessmentSnapshot) -> str:
    score = snapshot.score
    band = (lambda b: "") if snapshot.provisional else (lambda b: b)
    rows = [
        [d.code, d.name, d.raw_score, d.score, " ".join(d.capped_by), d.coverage, band(d.band)]
        for d in score.dimensions
    ]
    rows.append(["overall", "Overall", "", score.overall, "", score.coverage, band(score.band)])
    for m in score.models:
        rows.append([f"model:{m.code}", m.name, "", m.readiness, "", "", ""])
    return to_csv(
        snapshot.assessment.marking,
        ["dimension", "name", "raw_score", "score", "capped_by", "coverage", "maturity"],
        rows,
    )


def dashboard_csv(snapshots: Sequence[AssessmentSnapshot]) -> str:
    markings = sorted({s.assessment.marking for s in snapshots})
    rows = []
    for s in snapshots:
        a = s.assessment
        rows.append(
            [
                a.pk, a.partnership.name, a.framework.slug, a.framework.version, a.status,
                a.owner.get_username(), a.marking, s.progress.done, s.progress.total,
                s.score.overall, s.score.coverage, "" if s.provisional else s.score.band,
                a.updated_at.isoformat(),
            ]
        )  # fmt: skip
    header = [
        "id", "partnership", "framework", "version", "status", "owner", "marking",
        "answered", "questions", "overall", "coverage", "maturity", "updated_at",
    ]  # fmt: skip
    return to_csv("Handling markings: " + ", ".join(markings), header, rows)


def marking_slug(markings: Iterable[str]) -> str:
    distinct = sorted(set(markings))
    if len(distinct) == 1:
        return slugify(distinct[0]).upper() or "UNMARKED"
    return "MIXED-MARKINGS" if distinct else "UNMARKED"


def export_filename(snapshot: AssessmentSnapshot, ext: str) -> str:
    return assessment_filename(snapshot.assessment, ext)


def assessment_filename(a, ext: str) -> str:
    """MARKING-partnership-date-vN[-status].ext, from the assessment alone (frozen
    downloads need no snapshot). Anything not approved says its status, so a draft's
    file is never taken for the approved one."""
    date = timezone.localdate(a.updated_at).isoformat()
    # Dashes of any kind separate words ("France–Mali"), which slugify would drop.
    name = "".join("-" if unicodedata.category(c) == "Pd" else c for c in a.partnership.name)
    slug = slugify(name)[:60] or "assessment"
    status = "" if a.status == a.Status.APPROVED else f"-{a.status}"
    return f"{marking_slug([a.marking])}-{slug}-{date}-v{a.framework.version}{status}.{ext}"


def roadmap_export(plan: Plan) -> dict:
    """The roadmap as JSON: the same for the web endpoint and `manage.py roadmap`."""

    def projection(p) -> dict:
        return {"readiness": p.readiness, "overall": p.overall, "within_reach": p.within_reach}

    return {
        "model": plan.model.code,
        "start": projection(plan.start),
        "steps": [
            {
                "question": step.question.code,
                "dimension": step.question.dimension,
                "from": answers.export_value(step.question, step.before),
                "to": answers.export_value(step.question, step.after),
                "readiness": step.readiness,
                "dimension_score": step.dimension_score,
                "overall": step.overall,
                "within_reach": step.within_reach,
                "meets_conditions": list(step.meets_conditions),
                "lifts_red_lines": list(step.lifts_red_lines),
            }
            for step in plan.steps
        ],
        "end": projection(plan.end),
        "reached_after": plan.reached_after,
    }
