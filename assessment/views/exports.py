"""Downloads: JSON, CSV and the PDF report. Same access rules as the results page."""

import io
import json

from django.http import FileResponse

from ..access import assessment_for
from ..reports.export import (
    answers_csv,
    assessment_export,
    dashboard_csv,
    export_filename,
    marking_slug,
    scores_csv,
)
from ..reports.pdf import render_report
from ..selectors import DashboardFilter, assessment_snapshot, assessment_snapshots

DASHBOARD_CSV_LIMIT = 5000


def _download(content: str | bytes, filename: str, content_type: str) -> FileResponse:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return FileResponse(
        io.BytesIO(data), as_attachment=True, filename=filename, content_type=content_type
    )


def export_json(request, pk):
    snapshot = assessment_snapshot(assessment_for(request.user, pk))
    content = json.dumps(assessment_export(snapshot), indent=2, ensure_ascii=False)
    return _download(content, export_filename(snapshot, "json"), "application/json")


def export_answers_csv(request, pk):
    snapshot = assessment_snapshot(assessment_for(request.user, pk))
    return _download(
        answers_csv(snapshot), export_filename(snapshot, "answers.csv"), "text/csv; charset=utf-8"
    )


def export_scores_csv(request, pk):
    snapshot = assessment_snapshot(assessment_for(request.user, pk))
    return _download(
        scores_csv(snapshot), export_filename(snapshot, "scores.csv"), "text/csv; charset=utf-8"
    )


def export_pdf(request, pk):
    snapshot = assessment_snapshot(assessment_for(request.user, pk))
    return _download(render_report(snapshot), export_filename(snapshot, "pdf"), "application/pdf")


def export_dashboard_csv(request):
    assessments = list(DashboardFilter(request.GET, user=request.user).qs[:DASHBOARD_CSV_LIMIT])
    snapshots = list(assessment_snapshots(assessments).values())
    filename = f"{marking_slug(a.marking for a in assessments)}-assessments.csv"
    return _download(dashboard_csv(snapshots), filename, "text/csv; charset=utf-8")
