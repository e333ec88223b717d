"""Downloads: JSON, CSV and the PDF report. Same access rules as the results page."""

from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.text import slugify

from ..access import assessment_for
from ..reports.export import answers_csv, assessment_export, scores_csv, to_csv
from ..selectors import dashboard_assessments, scores_for
from .dashboard import dashboard_filters

DASHBOARD_CSV_LIMIT = 5000


def _filename(assessment, ext: str) -> str:
    date = timezone.localdate(assessment.updated_at).isoformat()
    slug = slugify(assessment.partnership.name) or "assessment"
    return f"{slug}-{date}-v{assessment.framework.version}.{ext}"


def _attachment(content, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_json(request, pk):
    assessment = assessment_for(request.user, pk)
    response = JsonResponse(assessment_export(assessment), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{_filename(assessment, "json")}"'
    return response


def export_answers_csv(request, pk):
    assessment = assessment_for(request.user, pk)
    return _attachment(
        answers_csv(assessment), "text/csv; charset=utf-8", _filename(assessment, "answers.csv")
    )


def export_scores_csv(request, pk):
    assessment = assessment_for(request.user, pk)
    return _attachment(
        scores_csv(assessment), "text/csv; charset=utf-8", _filename(assessment, "scores.csv")
    )


def dashboard_csv(request):
    assessments = list(
        dashboard_assessments(request.user, **dashboard_filters(request))[:DASHBOARD_CSV_LIMIT]
    )
    scores = scores_for(assessments)
    rows = []
    for a in assessments:
        score, progress = scores[a.pk]
        rows.append(
            [
                a.pk,
                a.partnership.name,
                a.framework.slug,
                a.framework.version,
                a.status,
                a.owner.get_username(),
                a.marking,
                progress["total"]["done"],
                progress["total"]["total"],
                score.overall,
                score.band,
                a.updated_at.isoformat(),
            ]
        )
    header = [
        "id", "partnership", "framework", "version", "status", "owner", "marking",
        "answered", "questions", "overall", "maturity", "updated_at",
    ]  # fmt: skip
    return _attachment(to_csv(header, rows), "text/csv; charset=utf-8", "assessments.csv")


def export_pdf(request, pk):
    from ..reports.pdf import render_report

    assessment = assessment_for(request.user, pk)
    return _attachment(render_report(assessment), "application/pdf", _filename(assessment, "pdf"))
