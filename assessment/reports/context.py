"""Everything the results page and the PDF show, built once from an assessment.

A function of (assessment, its answers, its bank version): the same input gives
the same report, which keeps reports reproducible.
"""

from django.utils.translation import gettext as _

from frameworks.models import CooperationModel, Question

from .. import scoring
from ..models import Assessment
from ..selectors import answer_value, answers_by_question, bank_spec
from .chart import PALETTE, Series, radar_svg


def declared_vs_best(
    declared_code: str, score: scoring.AssessmentScore, names: dict[str, str]
) -> str:
    declared = names.get(declared_code) or CooperationModel.Code(declared_code).label
    if score.best_fit is None:
        return _("Declared as %(declared)s; too few answers yet to compare with the models.") % {
            "declared": declared.lower()
        }
    fits = {m.code: m.fit for m in score.models}
    best = names[score.best_fit]
    if score.best_fit == declared_code:
        return _(
            "Declared as %(declared)s, and its profile is indeed closest to that model "
            "(fit %(fit).1f)."
        ) % {"declared": declared.lower(), "fit": fits[score.best_fit]}
    declared_fit = fits.get(declared_code)
    extra = (
        _(" (fit %(best).1f against %(declared).1f for the declared model)")
        % {"best": fits[score.best_fit], "declared": declared_fit}
        if declared_fit is not None
        else ""
    )
    return _("Declared as %(declared)s, but its profile is closest to %(best)s%(extra)s.") % {
        "declared": declared.lower(),
        "best": best.lower(),
        "extra": extra,
    }


def results_context(assessment: Assessment) -> dict:
    answers = answers_by_question(assessment)
    bank = bank_spec(assessment.framework)
    score = scoring.score_assessment(bank, {q: answer_value(a) for q, a in answers.items()})
    framework = assessment.framework
    dimensions = list(framework.dimensions.all())
    questions = {
        q.code: q
        for q in Question.objects.filter(framework=framework)
        .select_related("dimension")
        .prefetch_related("choices")
    }
    models = list(framework.cooperation_models.all())
    names = {m.code: m.name for m in models}
    targets = {m.code: m.targets for m in bank.models}
    dimension_rows = [
        {
            "dimension": dim,
            "score": score.dimension(dim.code),
            "targets": [(m.code, targets[m.code].get(dim.code)) for m in bank.models],
        }
        for dim in dimensions
    ]
    model_rows = [
        {
            "model": model,
            "fit": next(f for f in score.models if f.code == model.code),
            "best": model.code == score.best_fit,
        }
        for model in models
    ]
    recommendations = [
        {
            "rec": rec,
            "dimension": next(d for d in dimensions if d.code == rec.dimension),
            "question": questions.get(rec.question_code) if rec.question_code else None,
        }
        for rec in score.recommendations
    ]
    ranked = sorted((d for d in score.dimensions if d.score is not None), key=lambda d: -d.score)
    appendix = [
        {
            "dimension": dim,
            "rows": [
                {"question": q, "answer": answers.get(q.pk)}
                for q in questions.values()
                if q.dimension_id == dim.pk
            ],
        }
        for dim in dimensions
    ]
    return {
        "assessment": assessment,
        "score": score,
        "dimension_rows": dimension_rows,
        "model_rows": model_rows,
        "model_codes": [m.code for m in bank.models],
        "model_names": names,
        "recommendations": recommendations,
        "strengths": ranked[:3],
        "gaps": list(reversed(ranked[-3:])) if len(ranked) > 3 else list(reversed(ranked)),
        "declared_vs_best": declared_vs_best(assessment.partnership.declared_model, score, names),
        "best_fit_name": names.get(score.best_fit) if score.best_fit else None,
        "chart": assessment_radar(assessment, score, bank, dimensions, names),
        "appendix": appendix,
        "bands": list(framework.maturity_bands.all()),
    }


def assessment_radar(assessment, score, bank, dimensions, names) -> str:
    series = [
        Series(
            assessment.partnership.name,
            [score.dimension(d.code).score for d in dimensions],
            PALETTE[0],
            filled=True,
        )
    ]
    for i, model in enumerate(bank.models, start=1):
        series.append(
            Series(
                names[model.code],
                [model.targets.get(d.code) for d in dimensions],
                PALETTE[i % len(PALETTE)],
                dashed=True,
            )
        )
    return radar_svg(
        [d.name for d in dimensions],
        series,
        title=_("Dimension scores of %(name)s against the reference models")
        % {"name": assessment.partnership.name},
        description=_(
            "Radar chart, 0 to 100 on each axis. The filled shape is the assessment; dashed "
            "shapes are the target profiles of the cooperation models. The table beside it gives "
            "the same numbers."
        ),
    )
