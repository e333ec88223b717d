"""Results of one assessment, side-by-side comparison, and a partnership's trend."""

from django.shortcuts import render

from ..access import assessment_for, partnership_for
from ..models import Assessment
from ..reports.compare import (
    CannotCompare,
    check_selection,
    compare,
    declared_readiness,
    trend_chart,
)
from ..reports.context import results_context
from ..selectors import assessment_snapshot, assessment_snapshots


def results(request, pk):
    assessment = assessment_for(request.user, pk)
    return render(
        request, "assessment/results.html", results_context(assessment_snapshot(assessment))
    )


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
