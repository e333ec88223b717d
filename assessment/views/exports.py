"""Downloads: JSON, CSV and the PDF report. Same access rules as the results page.

An approved assessment's PDF and JSON are its frozen report's stored bytes (frozen
on approval; for assessments approved before reports were frozen, on the first
download). Drafts and submitted assessments are rendered on each download.
"""

import io
import json

from django.http import FileResponse, HttpResponseNotModified

from ..access import assessment_for
from ..models import Assessment, FrozenReport
from ..reports.export import (
    answers_csv,
    assessment_export,
    assessment_filename,
    dashboard_csv,
    export_filename,
    marking_slug,
    scores_csv,
)
from ..reports.pdf import render_report
from ..selectors import DashboardFilter, assessment_snapshot, assessment_snapshots, frozen_report_of
from ..services import report_freeze

DASHBOARD_CSV_LIMIT = 5000


def _download(content: str | bytes, filename: str, content_type: str) -> FileResponse:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return FileResponse(
        io.BytesIO(data), as_attachment=True, filename=filename, content_type=content_type
    )


def _frozen(assessment: Assessment, *fields: str) -> FrozenReport | None:
    """The frozen report of an approved assessment (frozen now if it was approved before
    reports were frozen); None for the others."""
    if assessment.status != Assessment.Status.APPROVED:
        return None
    return frozen_report_of(assessment, *fields) or report_freeze(assessment=assessment)


def _frozen_download(request, content, sha256: str, filename: str, content_type: str):
    etag = f'"{sha256}"'
    if etag in request.headers.get("If-None-Match", ""):
        return HttpResponseNotModified(headers={"ETag": etag})
    response = _download(bytes(content), filename, content_type)
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


def _report_file(
    request, pk, *, field: str, sha256: str, ext: str, content_type: str, render
) -> FileResponse:
    """The frozen bytes of an approved assessment's `field`, whose hash is in `sha256`
    (a conditional GET may get 304), else `render(snapshot)` made now."""
    assessment = assessment_for(request.user, pk)
    frozen = _frozen(assessment, field, sha256)
    if frozen is not None:
        return _frozen_download(
            request,
            getattr(frozen, field),
            getattr(frozen, sha256),
            assessment_filename(assessment, ext),
            content_type,
        )
    snapshot = assessment_snapshot(assessment)
    return _download(render(snapshot), export_filename(snapshot, ext), content_type)


def export_json(request, pk):
    # The embedded assessment.json itself: its SHA-256 is the report's.
    return _report_file(
        request,
        pk,
        field="snapshot_json",
        sha256="snapshot_sha256",
        ext="json",
        content_type="application/json",
        render=lambda snapshot: json.dumps(
            assessment_export(snapshot), indent=2, ensure_ascii=False
        ),
    )


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
    return _report_file(
        request,
        pk,
        field="pdf",
        sha256="pdf_sha256",
        ext="pdf",
        content_type="application/pdf",
        render=render_report,
    )


def export_dashboard_csv(request):
    assessments = list(DashboardFilter(request.GET, user=request.user).qs[:DASHBOARD_CSV_LIMIT])
    snapshots = list(assessment_snapshots(assessments).values())
    filename = f"{marking_slug(a.marking for a in assessments)}-assessments.csv"
    return _download(dashboard_csv(snapshots), filename, "text/csv; charset=utf-8")
