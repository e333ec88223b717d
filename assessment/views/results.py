"""Results of one assessment, side-by-side comparison, and a partnership's trend."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from ..access import assessment_for, partnership_for
from ..models import Assessment
from ..reports.chart import PALETTE, Series, radar_svg, trend_svg
from ..reports.context import results_context
from ..selectors import scores_for

MAX_COMPARED = 6


def results(request, pk):
    assessment = assessment_for(request.user, pk)
    return render(request, "assessment/results.html", results_context(assessment))


def compare(request):
    ids = request.GET.getlist("ids")
    if not 2 <= len(set(ids)) <= MAX_COMPARED:
        return render(
            request,
            "assessment/compare.html",
            {
                "error": _("Choose between 2 and %(max)d assessments to compare.")
                % {"max": MAX_COMPARED}
            },
            status=400,
        )
    assessments = [assessment_for(request.user, pk) for pk in dict.fromkeys(ids)]
    slugs = {a.framework.slug for a in assessments}
    if len(slugs) > 1:
        return render(
            request,
            "assessment/compare.html",
            {"error": _("Only assessments made with the same question bank can be compared.")},
            status=400,
        )
    scores = scores_for(assessments)
    # Across versions, dimensions are matched by code, in the order of the first assessment.
    codes, names = [], {}
    for a in assessments:
        for d in scores[a.pk][0].dimensions:
            if d.code not in names:
                codes.append(d.code)
                names[d.code] = d.name

    def dim_score(a, code):
        return next((d.score for d in scores[a.pk][0].dimensions if d.code == code), None)

    baseline = assessments[0]
    rows = []
    for code in codes:
        base = dim_score(baseline, code)
        cells = []
        for a in assessments:
            value = dim_score(a, code)
            delta = None if value is None or base is None or a is baseline else value - base
            cells.append({"score": value, "delta": delta})
        rows.append({"name": names[code], "cells": cells})
    overall = []
    for a in assessments:
        value, base = scores[a.pk][0].overall, scores[baseline.pk][0].overall
        delta = None if value is None or base is None or a is baseline else value - base
        overall.append({"score": value, "delta": delta})
    chart = radar_svg(
        [names[c] for c in codes],
        [
            Series(
                f"{a.partnership.name} #{a.pk} ({a.created_at:%Y-%m-%d})",
                [dim_score(a, c) for c in codes],
                PALETTE[i % len(PALETTE)],
                filled=True,
            )
            for i, a in enumerate(assessments)
        ],
        title=_("Dimension scores of the compared assessments"),
        description=_("Radar chart, 0 to 100 per dimension, one shape per assessment."),
        chart_id="compare",
    )
    return render(
        request,
        "assessment/compare.html",
        {
            "assessments": assessments,
            "scores": [scores[a.pk][0] for a in assessments],
            "rows": rows,
            "overall": overall,
            "chart": chart,
        },
    )


def trend(request, pk):
    partnership = partnership_for(request.user, pk)
    assessments = list(
        Assessment.objects.visible_to(request.user)
        .filter(partnership=partnership)
        .select_related("framework", "owner", "partnership")
        .order_by("created_at", "pk")
    )
    scores = scores_for(assessments)
    rows = []
    for a in assessments:
        score = scores[a.pk][0]
        names = {m.code: m.name for m in score.models}
        rows.append({"assessment": a, "score": score, "best_fit": names.get(score.best_fit)})
    chart = trend_svg(
        [f"#{a.pk} {a.created_at:%Y-%m-%d}" for a in assessments],
        [scores[a.pk][0].overall for a in assessments],
        title=_("Overall score of %(name)s over time") % {"name": partnership.name},
        description=_("One point per assessment, oldest first, 0 to 100."),
    )
    return render(
        request,
        "assessment/trend.html",
        {"partnership": partnership, "rows": rows, "chart": chart},
    )
