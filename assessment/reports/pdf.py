"""Build the PDF report with WeasyPrint from a Django template."""

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import CSS, HTML

from ..selectors import AssessmentSnapshot
from .context import report_context
from .fetcher import REPORT_BASE_URL, StaticOnlyFetcher


def report_html(snapshot: AssessmentSnapshot) -> str:
    context = report_context(snapshot)
    context["generated_at"] = timezone.now()
    return render_to_string("assessment/report.html", context)


def render_html_to_pdf(html: str, *, stylesheets: tuple[str, ...] = ()) -> bytes:
    """Render HTML with the static-only fetcher for the document and every stylesheet."""
    fetcher = StaticOnlyFetcher()
    css = [CSS(string=text, base_url=REPORT_BASE_URL, url_fetcher=fetcher) for text in stylesheets]
    document = HTML(string=html, base_url=REPORT_BASE_URL, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=css)


def render_report(snapshot: AssessmentSnapshot) -> bytes:
    return render_html_to_pdf(report_html(snapshot))
