"""Build the PDF report with WeasyPrint from a Django template.

Every report is rendered from its snapshot (`freeze.py`): PDF/A-3u, tagged, with
`assessment.json` and `bank.yaml` embedded as associated files, and the
snapshot's SHA-256 in its metadata and footer. Approved reports are rendered
once, when they are frozen; drafts and submitted assessments on each download.
"""

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import pydyf
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import CSS, HTML, Attachment

from ..selectors import AssessmentSnapshot, bank_export
from .context import report_context
from .fetcher import REPORT_BASE_URL, StaticOnlyFetcher
from .freeze import (
    BANK_MIME,
    BANK_NAME,
    JSON_MIME,
    JSON_NAME,
    SNAPSHOT_INFO_KEY,
    ReportSnapshot,
    build_snapshot,
    report_facts,
    rescore,
    view_snapshot,
)

# PDF/A-3 level "u" (Unicode text) with a structure tree: level "a" would also
# promise a complete logical structure, more than an automatic tagging can vouch for.
ARCHIVAL_OPTIONS = {"pdf_variant": "pdf/a-3u", "pdf_tags": True}


@dataclass(frozen=True)
class EmbeddedFile:
    """A file embedded in a PDF as an associated file (PDF/A-3)."""

    name: str
    content: bytes
    mime_type: str
    description: str
    relationship: str = "Source"  # ISO 32000-2 7.11.3: Source, Data, Supplement, ...


def render_html_to_pdf(
    html: str,
    *,
    stylesheets: tuple[str, ...] = (),
    embedded: Sequence[EmbeddedFile] = (),
    created: datetime | None = None,
    identifier: bytes | None = None,
    info: Mapping[str, str] | None = None,
    archival: bool = True,
) -> bytes:
    """Render HTML with the static-only fetcher for the document, every stylesheet and
    every embedded file (served from the bytes given, nothing else). `info` adds
    entries to the PDF's document information dictionary."""
    fetcher = StaticOnlyFetcher({f.name: (f.content, f.mime_type) for f in embedded})
    css = [CSS(string=text, base_url=REPORT_BASE_URL, url_fetcher=fetcher) for text in stylesheets]
    document = HTML(string=html, base_url=REPORT_BASE_URL, url_fetcher=fetcher)
    attachments = [
        Attachment(
            url=fetcher.embedded_url(f.name),
            url_fetcher=fetcher,
            name=f.name,
            description=f.description,
            relationship=f.relationship,
            created=created,
            modified=created,
        )
        for f in embedded
    ]

    def finish(document, pdf) -> None:
        for key, value in (info or {}).items():
            pdf.info[key] = pydyf.String(value)
        if archival:
            _one_reference_per_file(pdf)

    options = ARCHIVAL_OPTIONS if archival else {}
    with warnings.catch_warnings():
        # WeasyPrint 70 opens its sRGB profile for the PDF/A output intent and never
        # closes it; the ResourceWarning is about that file, not about the report.
        warnings.simplefilter("ignore", ResourceWarning)
        return document.write_pdf(
            stylesheets=css,
            attachments=attachments,
            pdf_identifier=identifier,
            finisher=finish,
            **options,
        )


def _one_reference_per_file(pdf) -> None:
    # WeasyPrint 70 lists each associated file twice in the catalog's /AF array.
    if "AF" in pdf.catalog:
        seen = []
        for reference in pdf.catalog["AF"]:
            if reference not in seen:
                seen.append(reference)
        pdf.catalog["AF"][:] = seen


def report_html(report: ReportSnapshot) -> str:
    """The report's HTML, from its snapshot alone."""
    context = report_context(view_snapshot(report, rescore(report)))
    context["report"] = report_facts(report)
    return render_to_string("assessment/report.html", context)


def render_snapshot(report: ReportSnapshot) -> bytes:
    facts = report_facts(report)
    return render_html_to_pdf(
        report_html(report),
        embedded=[
            EmbeddedFile(
                JSON_NAME,
                report.json_bytes,
                JSON_MIME,
                "The assessment this report shows: answers and scores (JSON export, schema 2).",
                relationship="Data",
            ),
            EmbeddedFile(
                BANK_NAME,
                report.bank_yaml,
                BANK_MIME,
                "The question bank version the answers were scored against (YAML export).",
            ),
        ],
        created=facts.generated_at,
        identifier=report.sha256[:32].encode("ascii"),
        info={SNAPSHOT_INFO_KEY: report.sha256},
    )


def render_report(snapshot: AssessmentSnapshot) -> bytes:
    """The report of an assessment as it is now (drafts and submitted assessments)."""
    report = build_snapshot(
        snapshot, bank=bank_export(snapshot.assessment.framework), generated_at=timezone.now()
    )
    return render_snapshot(report)
