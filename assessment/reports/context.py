"""What the results page and the PDF show: a pure function of the snapshot.

The same snapshot gives the same report, which keeps reports reproducible.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import answers, consensus, roadmap, scoring
from ..selectors import AssessmentSnapshot
from .chart import PALETTE, Series, radar_svg


@dataclass(frozen=True)
class ModelRow:
    spec: scoring.ModelSpec
    result: scoring.ModelResult
    declared: bool
    closest: bool
    supported: bool
    conditions: list[dict]
    targets: list[dict]


def model_rows(snapshot: AssessmentSnapshot) -> list[ModelRow]:
    score, bank = snapshot.score, snapshot.bank
    declared = snapshot.assessment.partnership.declared_model
    rows = []
    for spec in bank.models:
        result = score.model(spec.code)
        rows.append(
            ModelRow(
                spec=spec,
                result=result,
                declared=spec.code == declared,
                closest=spec.code == score.closest_model,
                supported=spec.code in score.supported_models,
                conditions=[
                    {
                        "result": c,
                        "question": bank.question_by_code[c.question],
                        "phrase": condition_phrase(snapshot, c),
                    }
                    for c in result.conditions
                ],
                targets=[
                    {
                        "dimension": d.name,
                        "target": spec.targets[d.code],
                        "rationale": spec.rationales.get(d.code, ""),
                    }
                    for d in bank.dimensions
                    if d.code in spec.targets
                ],
            )
        )
    return rows


def model_names(snapshot: AssessmentSnapshot, codes) -> str:
    names = {m.code: m.name for m in snapshot.bank.models}
    return ", ".join(names[code] for code in codes)


def model_findings(snapshot: AssessmentSnapshot) -> list[str]:
    """The model comparison in sentences: what the partnership can sustain now, and
    how far the declared model is."""
    score, bank = snapshot.score, snapshot.bank
    if score.closest_model is None:
        return [_("Too little is answered yet to compare the partnership with the models.")]
    findings = []
    if snapshot.provisional:
        findings.append(
            _(
                "Provisional: only %(coverage)s of the scored weight is answered, so no model is "
                "said to be within reach; the figures below cover the answered questions only."
            )
            % {"coverage": f"{100 * (score.coverage or 0):.0f}%"}
        )
    elif score.supported_models:
        findings.append(
            _("Within reach now: %(models)s (readiness at least %(at)s and every condition met).")
            % {"models": model_names(snapshot, score.supported_models), "at": f"{bank.ready_at:g}"}
        )
    else:
        findings.append(
            _(
                "No model is within reach now: none has a readiness of at least %(at)s with "
                "every condition met."
            )
            % {"at": f"{bank.ready_at:g}"}
        )
    declared_code = snapshot.assessment.partnership.declared_model
    declared = score.model(declared_code)
    spec = bank.model(declared_code)
    if declared is None or spec is None:
        findings.append(_("The declared model is not part of this question bank."))
    else:
        findings.append(declared_model_sentence(snapshot, spec, declared))
    closest = bank.model(score.closest_model)
    if score.closest_model != declared_code:
        findings.append(
            _("The closest model is %(model)s (readiness %(readiness).1f).")
            % {"model": closest.name, "readiness": score.model(closest.code).readiness}
        )
    return findings


def declared_model_sentence(snapshot, spec: scoring.ModelSpec, result) -> str:
    names = {d.code: d.name for d in snapshot.bank.dimensions}
    gaps = sorted(
        ((code, gap) for code, gap in result.shortfalls.items() if gap),
        key=lambda pair: -pair[1],
    )
    parts = [
        _("Declared model: %(model)s, readiness %(readiness)s of %(at)s needed.")
        % {
            "model": spec.name,
            "readiness": "—" if result.readiness is None else f"{result.readiness:.1f}",
            "at": f"{snapshot.bank.ready_at:g}",
        }
    ]
    if gaps:
        parts.append(
            _("Below its targets in %(gaps)s.")
            % {
                "gaps": ", ".join(
                    _("%(dimension)s by %(gap).1f points (target %(target)s)")
                    % {"dimension": names[code], "gap": gap, "target": f"{spec.targets[code]:g}"}
                    for code, gap in gaps
                )
            }
        )
    else:
        parts.append(_("No dimension falls short of its targets."))
    if result.unmet_conditions:
        parts.append(unmet_conditions_sentence(snapshot, result))
    elif result.conditions:
        parts.append(_("Every condition is met."))
    return " ".join(parts)


def unmet_conditions_sentence(snapshot: AssessmentSnapshot, result: scoring.ModelResult) -> str:
    unmet = result.unmet_conditions
    return ngettext(
        "Condition not met: %(conditions)s.", "Conditions not met: %(conditions)s.", len(unmet)
    ) % {"conditions": "; ".join(condition_phrase(snapshot, c) for c in unmet)}


def condition_phrase(snapshot: AssessmentSnapshot, condition: scoring.ConditionResult) -> str:
    """What a model condition asks and what is answered now: "TRU-05 needs at least
    “A named counterpart” (now “None”)"."""
    question = snapshot.bank.question_by_code[condition.question]
    values = {
        "code": question.code,
        "level": answers.kind_of(question).level_at(question, condition.at_least),
        "now": snapshot.display(question),
    }
    if condition.status == "unknown":
        return _("%(code)s needs at least %(level)s (unanswered)") % values
    return _("%(code)s needs at least %(level)s (now “%(now)s”)") % values


def red_line_rows(snapshot: AssessmentSnapshot) -> list[dict]:
    bank = snapshot.bank
    rows = []
    for red_line in snapshot.score.triggered_red_lines:
        question = bank.question_by_code[red_line.question]
        rows.append(
            {
                "red_line": red_line,
                "question": question,
                "answer": snapshot.display(question),
                "dimension": bank.dimension(red_line.dimension),
                "result": snapshot.score.dimension(red_line.dimension),
            }
        )
    return rows


def results_context(snapshot: AssessmentSnapshot) -> dict:
    score, bank = snapshot.score, snapshot.bank
    return {
        "assessment": snapshot.assessment,
        "snapshot": snapshot,
        "score": score,
        "provisional": snapshot.provisional,
        "red_lines": red_line_rows(snapshot),
        "dimension_rows": [
            {
                "dimension": dim,
                "score": score.dimension(dim.code),
                "targets": [m.targets.get(dim.code) for m in bank.models],
            }
            for dim in bank.dimensions
        ],
        "models": model_rows(snapshot),
        "model_findings": model_findings(snapshot),
        "recommendations": [
            {"rec": rec, "dimension": bank.dimension(rec.dimension)}
            for rec in score.recommendations
        ],
        "chart": assessment_radar(bank, score, snapshot.assessment.partnership.name),
        "bands": bank.bands,
        "threshold": f"{settings.PROVISIONAL_BELOW_PERCENT}%",
        "agreement_reading": consensus.alpha_reading(snapshot.agreement.alpha)
        if snapshot.agreement
        else "",
        "reconciled": reconciled_rows(snapshot),
    }


def changed_after_reconciliation(record) -> str | None:
    """Who changed a reconciled answer afterwards (its rationale no longer applies)."""
    return record.updated_by if record is not None and record.changed_after_reconciliation else None


def reconciled_rows(snapshot: AssessmentSnapshot) -> list[dict]:
    """The questions where independent respondents disagreed, with what was decided
    and why (for the report)."""
    if snapshot.agreement is None:
        return []
    names = {r.pk: r.user.get_username() for r in snapshot.sets.respondents}
    rows = []
    for row in snapshot.agreement.disagreements:
        q = row.question
        record = snapshot.records.get(q.id)
        rows.append(
            {
                "question": q,
                "spread": row.spread,
                "answers": ", ".join(
                    f"{r.user.get_username()}: {answers.display(q, v)}"
                    for r, v in zip(snapshot.sets.active, row.values, strict=True)
                ),
                "decided": snapshot.display(q) if q.id in snapshot.answers else None,
                "source": names.get(record.reconciled_from) if record else None,
                "rationale": record.rationale if record else "",
                "changed_by": changed_after_reconciliation(record),
            }
        )
    return rows


def report_context(snapshot: AssessmentSnapshot) -> dict:
    """The results, plus what only the PDF shows: the key findings, the roadmap to the
    declared model and the answers appendix."""
    from .summary import key_findings

    declared = snapshot.assessment.partnership.declared_model
    plan = roadmap_context(snapshot, declared) if snapshot.bank.model(declared) else None
    return {
        **results_context(snapshot),
        "findings": key_findings(snapshot, plan["plan"] if plan else None),
        "roadmap": plan,
        "appendix": answer_sections(snapshot),
    }


def answer_sections(snapshot: AssessmentSnapshot) -> list[dict]:
    """Every answer by dimension, as the review page, a respondent's set and the
    report's appendix list them; with what each question weighs and which rules rest on it."""
    bank = snapshot.bank
    rules: dict[str, list[str]] = {}
    for red_line in bank.red_lines:
        rules.setdefault(red_line.question, []).append(_("red line"))
    for model in bank.models:
        for condition in model.conditions:
            rules.setdefault(condition.question, []).append(
                _("condition of %(model)s") % {"model": model.name}
            )
    return [
        {
            "dimension": dim,
            "progress": snapshot.progress.of(dim.code),
            "rows": [
                {
                    "question": q,
                    "display": snapshot.display(q),
                    "answer": snapshot.answers.get(q.id),
                    "rules": rules.get(q.code, []),
                }
                for q in dim.questions
            ],
        }
        for dim in bank.dimensions
    ]


def assessment_radar(
    bank: scoring.BankSpec, score: scoring.AssessmentScore, name: str, *, chart_id: str = "radar"
) -> str:
    series = [
        Series(
            name, [score.dimension(d.code).score for d in bank.dimensions], PALETTE[0], filled=True
        )
    ]
    for i, model in enumerate(bank.models, start=1):
        series.append(
            Series(
                model.name,
                [model.targets.get(d.code) for d in bank.dimensions],
                PALETTE[i % len(PALETTE)],
                dashed=True,
            )
        )
    return radar_svg(
        [d.name for d in bank.dimensions],
        series,
        title=_("Dimension scores of %(name)s against the reference models") % {"name": name},
        description=_(
            "Radar chart, 0 to 100 on each axis. The filled shape is the assessment; dashed "
            "shapes are the target profiles of the cooperation models. The table beside it gives "
            "the same numbers."
        ),
        chart_id=chart_id,
    )


def roadmap_context(snapshot: AssessmentSnapshot, model_code: str) -> dict:
    """The roadmap to a model: its steps and a sentence on when it comes within reach."""
    result = roadmap.plan(snapshot.bank, snapshot.answers, model_code)
    return {
        "plan": result,
        "summary": roadmap_summary(snapshot, result),
        "dimension_names": {d.code: d.name for d in snapshot.bank.dimensions},
    }


def roadmap_summary(snapshot: AssessmentSnapshot, result: roadmap.Plan) -> str:
    name = result.model.name
    if result.reached_after == 0:
        return _("%(model)s is within reach already.") % {"model": name}
    if result.reached_after is not None:
        return ngettext(
            "%(model)s comes within reach after step %(n)d.",
            "%(model)s comes within reach after step %(n)d.",
            result.reached_after,
        ) % {"model": name, "n": result.reached_after}
    if result.start.readiness is None:
        return _("Too little is answered yet to plan steps towards %(model)s.") % {"model": name}
    names = {d.code: d.name for d in snapshot.bank.dimensions}
    final = result.final
    remains = [
        _("%(dimension)s %(gap).1f points below its target")
        % {"dimension": names[code], "gap": gap}
        for code, gap in final.shortfalls.items()
        if gap and gap > 0
    ]
    unmet = [c.question for c in final.conditions if c.status != "met"]
    parts = []
    if remains:
        parts.append(", ".join(remains))
    if unmet:
        parts.append(_("conditions not met: %(codes)s") % {"codes": ", ".join(unmet)})
    if final.readiness is not None and final.readiness < snapshot.bank.ready_at:
        parts.append(
            _("readiness %(r).1f of the %(at)s needed")
            % {"r": final.readiness, "at": f"{snapshot.bank.ready_at:g}"}
        )
    if len(result.steps) < roadmap.DEFAULT_STEPS:
        lead = _(
            "After these %(n)d steps no single further answer change raises the readiness "
            "of %(model)s; what would remain:"
        )
    else:
        lead = _("%(n)d steps do not bring %(model)s within reach; after them would remain:")
    return (lead % {"model": name, "n": len(result.steps)}) + " " + "; ".join(parts) + "."
