"""The PDF report: content read back with pypdf, safety of the URL fetcher."""

import io
import subprocess
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from assessment.answers import AnswerValue
from assessment.models import Assessment
from assessment.reports.fetcher import (
    EMBEDDED_PREFIX,
    STATIC_PREFIX,
    RefusedURL,
    StaticOnlyFetcher,
)
from assessment.reports.pdf import EmbeddedFile, render_html_to_pdf
from frameworks.samples import likert_bank
from frameworks.selectors import default_bank
from frameworks.services import framework_import

from .factories import AssessmentFactory, answer_all, login, safeguard_bank_data, save_answers

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "report"


class RecordingHandler(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # http.server's name
        RecordingHandler.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        pass


@pytest.fixture
def recording_server():
    RecordingHandler.hits = []
    server = HTTPServer(("127.0.0.1", 0), RecordingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def pdf_text(content: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(content))
    return reader, [page.extract_text() for page in reader.pages]


def download(client, assessment):
    response = client.get(reverse("assessment:export_pdf", args=[assessment.pk]))
    assert response.status_code == 200
    return response


def test_report_contains_every_section_and_marking_on_every_page(client, assessment, owner):
    answer_all(assessment, owner)
    login(client, owner)
    response = download(client, assessment)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="RESTRICTED-sahel-partnership-'
    )
    assert response["Content-Disposition"].endswith('-v1-draft.pdf"')  # not the approved one
    reader, pages = pdf_text(response.getvalue())
    assert len(pages) >= 6
    for number, text in enumerate(pages, start=1):
        assert "RESTRICTED" in text, number
        assert f"Page {number} of {len(pages)}" in text
    text = "\n".join(pages)
    for needle in (
        "Sahel Partnership", "France, Mali", "Executive summary", "Intelligence sharing",
        "Legal and ethical compliance", "Interoperability of joint operations and training",
        "Trust and political alignment", "Bilateral agreement", "Multilateral alliance",
        "Informal network", "Recommendations", "Appendix", "Methodology", "INT-01", "100.0",
        "DRAFT - results may change, not approved",
    ):  # fmt: skip
        assert needle in text, needle
    assert "provisional" not in pages[0]  # fully answered: a draft, not provisional
    table_page = next(page for page in pages if "Maturity" in page)
    bands = assessment.framework.maturity_bands.values_list("label", flat=True)
    assert any(band in table_page for band in bands)  # a band word is never broken
    assert reader.metadata.title.startswith("Counterterrorism cooperation assessment")
    assert reader.metadata.author == "owner"
    assert reader.metadata.creation_date is not None
    outline_titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "Executive summary" in outline_titles and "Methodology" in outline_titles


def test_approved_report_has_no_draft_mark(client, assessment, owner):
    answer_all(assessment, owner)
    Assessment.objects.filter(pk=assessment.pk).update(status="approved")
    login(client, owner)
    _reader, pages = pdf_text(download(client, assessment).getvalue())
    assert "DRAFT" not in "\n".join(pages)


def test_hostile_text_is_printed_literally_and_nothing_is_fetched(
    client, assessment, owner, recording_server
):
    port = recording_server.server_address[1]
    hostile = [
        '<img src="file:///etc/passwd">',
        f'<link rel=stylesheet href="http://127.0.0.1:{port}/x.css">',
        "<script>alert(1)</script>",
    ]
    partnership = assessment.partnership
    partnership.name = "Pact " + hostile[0]
    partnership.save()
    answer_all(assessment, owner)
    assessment.answers.filter(question__code="INT-01").update(comment=hostile[1])
    assessment.answers.filter(question__code="INT-09").update(text=hostile[2])
    Assessment.objects.filter(pk=assessment.pk).update(
        marking=f"U <img src=http://127.0.0.1:{port}/m>"
    )
    login(client, owner)
    _reader, pages = pdf_text(download(client, assessment).getvalue())
    text = "".join("\n".join(pages).split())  # extraction may wrap long strings
    for string in hostile:
        assert "".join(string.split()) in text, string
    assert "root:x:0:0" not in text
    assert RecordingHandler.hits == []


def test_fetcher_serves_static_files_and_refuses_everything_else(recording_server):
    port = recording_server.server_address[1]
    fetcher = StaticOnlyFetcher()
    css = fetcher.fetch(STATIC_PREFIX + "css/report.css")
    assert b"@page" in css.read()
    for url in (
        "file:///etc/passwd",
        f"http://127.0.0.1:{port}/x.css",
        "https://example.com/x.png",
        STATIC_PREFIX + "../settings.py",
        STATIC_PREFIX + "css/missing.css",
        "ftp://127.0.0.1/x",
        "data:text/plain," + "a" * 200_000,
    ):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,hi").read() == b"hi"
    assert RecordingHandler.hits == []


def test_stylesheets_and_imports_go_through_the_same_fetcher(recording_server):
    port = recording_server.server_address[1]
    html = (
        f'<html><head><link rel="stylesheet" href="http://127.0.0.1:{port}/a.css">'
        f'<link rel="attachment" href="http://127.0.0.1:{port}/att"></head>'
        f'<body><img src="http://127.0.0.1:{port}/i.png"><p>Hi</p></body></html>'
    )
    pdf = render_html_to_pdf(html, stylesheets=(f'@import url("http://127.0.0.1:{port}/b.css");',))
    assert pdf.startswith(b"%PDF")
    assert RecordingHandler.hits == []


def test_attachments_come_only_from_the_bytes_given(recording_server):
    port = recording_server.server_address[1]
    fetcher = StaticOnlyFetcher({"assessment.json": (b"{}", "application/json")})
    assert fetcher.fetch(EMBEDDED_PREFIX + "assessment.json").read() == b"{}"
    for url in (
        EMBEDDED_PREFIX + "other.json",
        EMBEDDED_PREFIX + "../assessment.json",
        "file:///etc/passwd",
        f"http://127.0.0.1:{port}/x.json",
    ):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    html = (
        '<html lang="en"><head><title>t</title>'
        '<link rel="attachment" href="file:///etc/passwd">'
        f'<link rel="attachment" href="http://127.0.0.1:{port}/a.json"></head>'
        "<body><p>x</p></body></html>"
    )
    content = render_html_to_pdf(
        html, embedded=[EmbeddedFile("a.json", b"{}", "application/json", "test")]
    )
    files = {e.name: e.content for e in PdfReader(io.BytesIO(content)).attachment_list}
    assert files == {"a.json": b"{}"}
    assert RecordingHandler.hits == []


def test_outsider_cannot_download(client, assessment, outsider):
    login(client, outsider)
    response = client.get(reverse("assessment:export_pdf", args=[assessment.pk]))
    assert response.status_code == 404


def test_report_keeps_its_stylesheet_with_hashed_production_static_files(
    assessment, tmp_path, settings
):
    """With the manifest storage, {% static %} names hashed files that only exist
    after collectstatic; the fetcher must serve those too (found by the benchmark)."""
    from django.core.management import call_command

    from assessment.reports.pdf import render_report
    from assessment.selectors import assessment_snapshot

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    # (Django resets its static storage when the settings fixture changes STORAGES.)
    call_command("collectstatic", interactive=False, verbosity=0)
    _reader, pages = pdf_text(render_report(assessment_snapshot(assessment)))
    # "Page X of Y" and the running marking come from the stylesheet's @page rules.
    assert "Page 1 of" in pages[0]
    assert "RESTRICTED" in pages[-1]


LONG_MARKING = ("RESTRICTED RELEASABLE TO " + "FRA MLI NER BFA TCD " * 5)[:100]
LONG_NAME = ("Joint counterterrorism cooperation framework between the Republic of Mali and " * 3)[
    :200
]
LONG_MODEL = "InformalIntelligenceAndLiaisonNetworkWithoutAnyWrittenAgreementBetweenServices" * 2
MM = 72 / 25.4  # points per millimetre


def text_runs(page) -> list[tuple[float, float, str]]:
    """(x, y, text) of every text run, in points from the bottom-left corner."""
    runs = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            runs.append((x, y, text))

    page.extract_text(visitor_text=visit)
    return runs


def line_count(ys: list[float], tolerance: float = 4) -> int:
    """How many lines of text these baselines make (mixed font sizes share a line)."""
    lines: list[float] = []
    for y in sorted(ys):
        if not lines or y - lines[-1] > tolerance:
            lines.append(y)
    return len(lines)


def ink_columns(pdf_path, tmp_path, *, dpi: int = 50) -> list[list[bool]]:
    """Per page, whether each pixel column has any ink (rendered with pdftoppm)."""
    subprocess.run(
        ["pdftoppm", "-gray", "-r", str(dpi), str(pdf_path), str(tmp_path / "page")], check=True
    )
    pages = []
    for path in sorted(tmp_path.glob("page-*.pgm")):
        data = path.read_bytes()
        magic, width, height, _maxval, pixels = data.split(maxsplit=4)
        assert magic == b"P5"
        width, height = int(width), int(height)
        columns = [False] * width
        for row in range(height):
            line = pixels[row * width : (row + 1) * width]
            for col, value in enumerate(line):
                if value < 200:
                    columns[col] = True
        pages.append(columns)
    return pages


@pytest.fixture
def long_texts_assessment(partnership, owner):
    path, data = default_bank()
    data = {**data, "slug": "long-names"}
    data["models"] = [dict(m) for m in data["models"]]
    data["models"][-1]["name"] = LONG_MODEL
    bank = framework_import(data=data, source="test", publish=True)
    partnership.name = LONG_NAME
    partnership.save()
    assessment = Assessment.objects.create(
        partnership=partnership, framework=bank, owner=owner, marking=LONG_MARKING
    )
    answer_all(assessment, owner)
    return assessment


def test_long_marking_and_names_keep_headers_on_one_line_and_tables_on_the_page(
    client, long_texts_assessment, owner, tmp_path
):
    login(client, owner)
    content = download(client, long_texts_assessment).getvalue()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "long-texts.pdf").write_bytes(content)
    reader, pages = pdf_text(content)
    squeezed = "".join(pages[0].split())
    assert "".join(LONG_NAME.split()) in squeezed  # the cover keeps the full text
    assert "".join(LONG_MARKING.split()) in squeezed

    page_height = float(reader.pages[1].mediabox.height)
    runs = text_runs(reader.pages[1])
    header = [(y, t) for _x, y, t in runs if y > page_height - 22 * MM]
    footer = [(y, t) for _x, y, t in runs if y < 20 * MM]
    assert header and footer
    assert line_count([y for y, _t in header]) == 1, header
    assert line_count([y for y, _t in footer]) == 1, footer
    assert "…" in "".join(t for _y, t in header)
    assert "…" in "".join(t for _y, t in footer)

    page_width = float(reader.pages[1].mediabox.width)
    table_page = next(p for p in reader.pages if "Dimensions" in p.extract_text())
    for x, _y, text in text_runs(table_page):
        assert 15 * MM <= x <= page_width - 16 * MM, (x, text)
    pdf_path = tmp_path / "report.pdf"
    pdf_path.write_bytes(content)
    px_per_mm = 50 / 25.4
    for number, columns in enumerate(ink_columns(pdf_path, tmp_path), start=1):
        margin = int(14 * px_per_mm)
        assert not any(columns[:margin]), f"ink in the left margin of page {number}"
        assert not any(columns[-margin:]), f"ink in the right margin of page {number}"


# The executive summary -----------------------------------------------------------------


def summary_of(assessment):
    from assessment.reports.context import report_context
    from assessment.selectors import assessment_snapshot

    return report_context(assessment_snapshot(assessment))["findings"]


def likert_answers(bank, levels: dict):
    """{code: level 1..5} -> {code: AnswerValue} for a Likert bank."""
    from assessment.selectors import bank_spec

    spec = bank_spec(bank)
    return {
        code: AnswerValue(choice_ids=frozenset([spec.question_by_code[code].choices[level - 1].id]))
        for code, level in levels.items()
    }


@pytest.fixture
def safeguard_assessment(partnership, owner):
    bank = framework_import(data=safeguard_bank_data(), source="test", publish=True)
    return AssessmentFactory(partnership=partnership, owner=owner, framework=bank), bank


def test_summary_puts_crossed_red_lines_first(safeguard_assessment, owner):
    assessment, bank = safeguard_assessment
    save_answers(assessment, owner, likert_answers(bank, {"d0-000": 1, "d0-001": 5, "d1-000": 5}))
    findings = summary_of(assessment)
    assert findings[0].kind == "red-line"
    assert "d0-000" in findings[0].text and "capped at 30" in findings[0].text
    assert findings[0].detail == "Safeguard missing (HRDDP)."
    assert [f.kind for f in findings[1:3]] == ["overall", "declared"]


def test_summary_says_no_red_line_is_crossed(safeguard_assessment, owner):
    assessment, bank = safeguard_assessment
    save_answers(assessment, owner, likert_answers(bank, {"d0-000": 5, "d1-000": 5}))
    findings = summary_of(assessment)
    assert findings[0].kind == "no-red-line"
    assert findings[0].text == "No red line is crossed (1 checked)."


def test_summary_names_the_declared_models_readiness_and_unmet_conditions(
    safeguard_assessment, owner
):
    assessment, bank = safeguard_assessment
    save_answers(assessment, owner, likert_answers(bank, {"d0-000": 3, "d0-001": 3, "d1-000": 2}))
    declared = next(f.text for f in summary_of(assessment) if f.kind == "declared")
    assert declared.startswith("The declared model, Bilateral, is not within reach: readiness ")
    assert "Condition not met: d1-000 needs at least “Agree” (now “Disagree”)." in declared


def test_summary_gives_overall_level_coverage_and_confidence(safeguard_assessment, owner):
    assessment, bank = safeguard_assessment
    values = likert_answers(bank, {"d0-000": 5, "d0-001": 5, "d1-000": 5, "d1-001": 5})
    values = {code: replace(v, confidence="high") for code, v in values.items()}
    values["d1-001"] = replace(values["d1-001"], confidence="low")
    save_answers(assessment, owner, values)
    overall = next(f.text for f in summary_of(assessment) if f.kind == "overall")
    assert overall.startswith("Overall score 100.0 of 100, maturity level High, with 100% of")
    # Dimension-weighted: d0 all high, d1 half high half low.
    assert "high for 75% of the answered weight, medium 0%, low 25%, not stated 0%" in overall
    assert "tentative" not in overall and "no confidence was stated" not in overall


@pytest.mark.parametrize(
    ("confidence", "caveat"),
    [
        ("low", "Most of it is given with low confidence: treat these conclusions as tentative"),
        ("", "For most of it no confidence was stated"),
    ],
)
def test_summary_warns_when_most_answers_are_low_or_unstated_confidence(
    safeguard_assessment, owner, confidence, caveat
):
    assessment, bank = safeguard_assessment
    values = likert_answers(bank, {"d0-000": 5, "d0-001": 5, "d1-000": 5, "d1-001": 5})
    values = {code: replace(v, confidence=confidence) for code, v in values.items()}
    values["d1-001"] = replace(values["d1-001"], confidence="high")
    save_answers(assessment, owner, values)
    overall = next(f.text for f in summary_of(assessment) if f.kind == "overall")
    assert caveat in overall


def test_model_notes_say_what_each_condition_needs_and_why_each_target(
    client, safeguard_assessment, owner
):
    assessment, bank = safeguard_assessment
    save_answers(assessment, owner, likert_answers(bank, {"d0-000": 3, "d0-001": 3, "d1-000": 2}))
    login(client, owner)
    _reader, pages = pdf_text(download(client, assessment).getvalue())
    text = " ".join(" ".join(pages).split())
    models = text[text.index("Comparison with the reference models") :]
    assert "Not met: d1-000 needs at least “Agree” (now “Disagree”). A written agreement." in models
    assert (
        "Unknown: d1-001 needs at least “Strongly agree” (unanswered). A standing forum." in models
    )
    assert "Targets, and why: Dimension d0: " in models
    appendix = text[text.index("Appendix: answers") :]
    assert "d0-000 Question d0 0 Weight 1 · red line" in appendix
    assert "d1-000 Question d1 0 Weight 1 · condition of Bilateral" in appendix


def test_summary_lists_the_first_three_roadmap_steps(safeguard_assessment, owner):
    assessment, bank = safeguard_assessment
    save_answers(
        assessment,
        owner,
        likert_answers(bank, {"d0-000": 3, "d0-001": 1, "d1-000": 1, "d1-001": 1}),
    )
    roadmap = next(f.text for f in summary_of(assessment) if f.kind == "roadmap")
    # Three steps up one question read as one change, from its first level to its last.
    assert roadmap.startswith(
        "First steps towards Bilateral: (1–3) d1-000, “Question d1 0”, from “Strongly "
        "disagree” to “Agree”. It comes within reach after step 3 of the roadmap."
    )


def test_summary_quotes_a_question_once_and_joins_only_consecutive_steps():
    from types import SimpleNamespace as Step

    from assessment.reports.summary import roadmap_sentence

    def step(code, old, new):
        question = Step(code=code, text=f"Question {code}")
        return Step(question=question, from_display=old, to_display=new)

    plan = Step(
        model=Step(name="Bilateral"),
        reached_after=None,
        steps=[step("A", "0", "1"), step("A", "1", "2"), step("B", "0", "1"), step("A", "2", "3")],
    )
    assert roadmap_sentence(None, plan) == (
        "First steps towards Bilateral: (1–2) A, “Question A”, from “0” to “2”; "
        "(3) B, “Question B”, from “0” to “1”. The roadmap's 4 steps do not bring it "
        "within reach."
    )
    plan.steps = [step("A", "0", "1"), step("B", "0", "1"), step("A", "1", "2")]
    assert "(3) A again, from “1” to “2”" in roadmap_sentence(None, plan)


def four_dimension_assessment(partnership, owner, levels: list[int]):
    data = likert_bank(slug="four", dimensions=4, questions_per_dimension=1)
    bank = framework_import(data=data, source="test", publish=True)
    assessment = AssessmentFactory(partnership=partnership, owner=owner, framework=bank)
    save_answers(
        assessment,
        owner,
        likert_answers(bank, {f"d{i}-000": level for i, level in enumerate(levels)}),
    )
    return next(f.text for f in summary_of(assessment) if f.kind == "strengths")


@pytest.mark.parametrize(
    "levels, expected, note",
    [
        (
            [5, 4, 2, 1],
            "Strongest: Dimension d0 (100.0) and Dimension d1 (75.0). "
            "Weakest: Dimension d3 (0.0) and Dimension d2 (25.0).",
            None,
        ),
        (
            [4, 3, 3, 2],
            "Strongest: Dimension d0 (75.0) and Dimension d1 (50.0). "
            "Weakest: Dimension d3 (25.0) and Dimension d2 (50.0).",
            "Dimension d1 and Dimension d2 are within 5 points of each other",
        ),
        (
            [3, 3, 3, 3],
            "Strongest: Dimension d0 (50.0) and Dimension d1 (50.0). "
            "Weakest: Dimension d3 (50.0) and Dimension d2 (50.0).",
            "All dimensions score within 5 points of each other",
        ),
    ],
)
def test_strongest_and_weakest_never_overlap_and_say_when_close(
    partnership, owner, levels, expected, note
):
    text = four_dimension_assessment(partnership, owner, levels)
    assert text.startswith(expected)
    if note:
        assert note in text
    else:
        assert "within 5 points" not in text
