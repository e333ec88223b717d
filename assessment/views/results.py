"""Results of one assessment (with its roadmap and what-if), side-by-side comparison,
and a partnership's trend."""

import json

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import answers, roadmap, scoring
from ..access import assessment_for, can_edit, partnership_for
from ..forms import read_what_if
from ..models import Assessment
from ..reports.compare import (
    CannotCompare,
    check_selection,
    compare,
    declared_readiness,
    trend_chart,
)
from ..reports.context import assessment_radar, results_context, roadmap_context
from ..reports.export import roadmap_export
from ..selectors import assessment_snapshot, assessment_snapshots

MAX_ROADMAP_STEPS = 30


def results(request, pk):
    assessment = assessment_for(request.user, pk)
    snapshot = assessment_snapshot(assessment)
    model_code = request.GET.get("roadmap") or assessment.partnership.declared_model
    status = 200
    if snapshot.bank.model(model_code) is None:
        messages.error(request, _("There is no such model; here is the declared one."))
        model_code, status = assessment.partnership.declared_model, 400
    return render(
        request, "assessment/results.html", _results(request, snapshot, model_code), status=status
    )


def _results(request, snapshot, model_code: str, **extra) -> dict:
    has_model = snapshot.bank.model(model_code) is not None
    return {
        **results_context(snapshot),
        "roadmap": roadmap_context(snapshot, model_code) if has_model else None,
        "can_edit": can_edit(request.user, snapshot.assessment),
        "what_if": what_if_rows(snapshot, extra.pop("hypothetical", None)),
        **extra,
    }


def roadmap_json(request, pk):
    """The roadmap as JSON (same access as the results page; same as `manage.py roadmap`)."""
    assessment = assessment_for(request.user, pk)
    snapshot = assessment_snapshot(assessment)
    model_code = request.GET.get("model") or assessment.partnership.declared_model
    raw_steps = request.GET.get("steps", str(roadmap.DEFAULT_STEPS))
    if snapshot.bank.model(model_code) is None:
        return _json_error(_("Unknown model %(code)r.") % {"code": model_code})
    if not raw_steps.isdigit() or not 1 <= int(raw_steps) <= MAX_ROADMAP_STEPS:
        return _json_error(
            _("steps must be a whole number from 1 to %(max)d.") % {"max": MAX_ROADMAP_STEPS}
        )
    plan = roadmap.plan(snapshot.bank, snapshot.answers, model_code, steps=int(raw_steps))
    return HttpResponse(json.dumps(roadmap_export(plan), indent=2), content_type="application/json")


def _json_error(message: str) -> HttpResponse:
    return HttpResponseBadRequest(json.dumps({"error": message}), content_type="application/json")


def what_if_rows(snapshot, hypothetical=None) -> list[dict]:
    """The what-if form: every scored question, pre-filled with the real answer (or
    with the hypothetical one, when the form comes back without JavaScript)."""
    values = snapshot.answers if hypothetical is None else hypothetical
    return [
        {
            "dimension": dim,
            "questions": [
                {"question": q, "value": values.get(q.id)} for q in dim.questions if q.is_scored
            ],
        }
        for dim in snapshot.bank.dimensions
    ]


@require_POST
def what_if(request, pk):
    """Project hypothetical answers; nothing is stored."""
    assessment = assessment_for(request.user, pk)
    snapshot = assessment_snapshot(assessment)
    bank = snapshot.bank
    values, errors = read_what_if(bank, request.POST)
    context = {"assessment": assessment, "snapshot": snapshot, "what_if_errors": errors}
    if errors:
        return _what_if_response(request, snapshot, context, values, status=422)
    # Unscored answers (free text, context) are kept as they are; they change no number.
    unscored = {
        qid: v
        for qid, v in snapshot.answers.items()
        if qid in bank.question_by_id and not bank.question_by_id[qid].is_scored
    }
    projected = scoring.score_assessment(bank, {**unscored, **values})
    context.update(
        projected=projected,
        what_if_dimensions=[
            {
                "dimension": d,
                "actual": snapshot.score.dimension(d.code),
                "projected": projected.dimension(d.code),
            }
            for d in bank.dimensions
        ],  # fmt: skip
        what_if_models=[
            {
                "spec": m,
                "actual": snapshot.score.model(m.code),
                "projected": projected.model(m.code),
            }
            for m in bank.models
        ],
        changed=sum(
            1
            for q in bank.questions
            if q.is_scored
            and _value_of(q, values.get(q.id)) != _value_of(q, snapshot.answers.get(q.id))
        ),
        what_if_chart=assessment_radar(bank, projected, _("What-if"), chart_id="what-if-radar"),
    )
    return _what_if_response(request, snapshot, context, values)


def _what_if_response(request, snapshot, context: dict, values, *, status: int = 200):
    """The projection alone for htmx; without JavaScript, the whole results page with it."""
    if request.htmx:
        return render(request, "assessment/_what_if_result.html", context, status=status)
    extra = {k: v for k, v in context.items() if k not in ("assessment", "snapshot")}
    model_code = snapshot.assessment.partnership.declared_model
    return render(
        request,
        "assessment/results.html",
        _results(request, snapshot, model_code, hypothetical=values, **extra),
        status=status,
    )


def _value_of(question, answer) -> tuple | None:
    """What scores in an answer (not its comment or confidence); None when it has none."""
    if not answers.has_value(question, answer):
        return None
    return (answer.choice_ids, answer.number, answer.is_na)


def compare_view(request):
    ids = list(dict.fromkeys(request.GET.getlist("ids")))
    try:
        check_selection(len(ids))
        assessments = [assessment_for(request.user, pk) for pk in ids]
        snapshots = assessment_snapshots(assessments)
        comparison = compare(
            [snapshots[a.pk] for a in assessments], baseline_pk=_int_or_none(request.GET)
        )
    except CannotCompare as exc:
        return render(
            request, "assessment/compare.html", {"error": str(exc), "ids": ids}, status=400
        )
    return render(request, "assessment/compare.html", {"comparison": comparison, "ids": ids})


def _int_or_none(query) -> int | None:
    raw = query.get("baseline", "")
    return int(raw) if raw.isdigit() else None


def trend(request, pk):
    partnership = partnership_for(request.user, pk)
    assessments = list(
        Assessment.objects.visible_to(request.user)
        .filter(partnership=partnership)
        .select_related("framework", "owner", "partnership")
        .order_by("created_at", "pk")
    )
    snapshots = list(assessment_snapshots(assessments).values())
    return render(
        request,
        "assessment/trend.html",
        {
            "partnership": partnership,
            "snapshots": snapshots,
            "rows": [(s, declared_readiness(s)) for s in snapshots],
            "chart": trend_chart(partnership.name, snapshots),
        },
    )
