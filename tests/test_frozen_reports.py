"""Frozen, verifiable reports: freezing on approval, serving the stored bytes, PDF/A-3
with the snapshot embedded, and `manage.py verify_report`."""

import io
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader, PdfWriter

from assessment.models import Assessment, FrozenReport, FrozenReportLocked, StatusChange
from assessment.reports import freeze, pdf
from assessment.reports.verify import Outcome, compare, verify_report
from assessment.selectors import assessment_snapshot, bank_export
from assessment.services import (
    ReportNotFrozen,
    assessment_approve,
    assessment_submit,
    report_freeze,
)
from frameworks.io import dump_bank
from frameworks.samples import likert_bank
from frameworks.selectors import default_bank
from frameworks.services import framework_import

from .factories import AssessmentFactory, answer_all, login, save_answers, value_for

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "report"


def approve(assessment, owner, reviewer, comment="Sound work."):
    submitted = assessment_submit(assessment=assessment, user=owner)
    return assessment_approve(assessment=submitted, user=reviewer, comment=comment)


@pytest.fixture
def approved(assessment, owner, reviewer):
    answer_all(assessment, owner, pick=lambda choices: choices[len(choices) // 2])
    return approve(assessment, owner, reviewer)


def download(client, assessment, name="assessment:export_pdf", **headers):
    response = client.get(reverse(name, args=[assessment.pk]), headers=headers)
    assert response.status_code == 200, response.status_code
    return response.getvalue()


def run_verify(path) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_report", str(path), stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def replace_embedded(content: bytes, name: str, new: bytes) -> bytes:
    """The PDF with one embedded file's bytes replaced (nothing else touched)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(content)))
    names = writer.root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    for i in range(0, len(names), 2):
        if names[i] == name:
            stream = names[i + 1].get_object()["/EF"]["/F"].get_object()
            stream.set_data(new)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# Freezing on approval ------------------------------------------------------------------


def test_approving_stores_one_frozen_report_with_its_hashes(approved, reviewer):
    frozen = FrozenReport.objects.get()
    assert frozen.assessment == approved
    content = bytes(frozen.pdf)
    assert content.startswith(b"%PDF-1.7")
    assert frozen.pdf_sha256 == freeze.sha256_hex(content)
    assert frozen.snapshot_sha256 == freeze.sha256_hex(bytes(frozen.snapshot_json))
    assert frozen.bank_sha256 == freeze.sha256_hex(bytes(frozen.bank_yaml))
    assert frozen.methodology_version == 2
    assert frozen.app_version == freeze.app_version() == "0.1.0"
    data = json.loads(bytes(frozen.snapshot_json))
    assert data["status"] == "approved"
    assert data["report"]["approved_by"] == reviewer.username
    assert data["report"]["bank_sha256"] == frozen.bank_sha256
    assert bytes(frozen.bank_yaml).decode() == dump_bank(bank_export(approved.framework).data)
    # The one hash identifies the snapshot: canonical JSON.
    assert bytes(frozen.snapshot_json) == freeze.canonical_json(data)


def test_a_report_that_cannot_be_rendered_rolls_the_approval_back(
    assessment, owner, reviewer, monkeypatch
):
    answer_all(assessment, owner)
    assessment = assessment_submit(assessment=assessment, user=owner)

    def broken(report):
        raise RuntimeError("renderer down")

    monkeypatch.setattr(pdf, "render_snapshot", broken)
    with pytest.raises(ReportNotFrozen):
        assessment_approve(assessment=assessment, user=reviewer)
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    assert not StatusChange.objects.filter(assessment=assessment, to_status="approved").exists()
    assert not FrozenReport.objects.exists()


def test_a_report_that_does_not_verify_is_not_frozen(assessment, owner, reviewer, monkeypatch):
    answer_all(assessment, owner)
    assessment = assessment_submit(assessment=assessment, user=owner)
    real = pdf.render_snapshot
    monkeypatch.setattr(pdf, "render_snapshot", lambda report: real(report)[:-2000])
    with pytest.raises(ReportNotFrozen):
        assessment_approve(assessment=assessment, user=reviewer)
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    assert not FrozenReport.objects.exists()


def test_the_reviewer_sees_why_an_approval_failed(client, assessment, owner, reviewer, monkeypatch):
    answer_all(assessment, owner)
    assessment_submit(assessment=assessment, user=owner)
    monkeypatch.setattr(pdf, "render_snapshot", lambda report: b"not a pdf")
    login(client, reviewer)
    response = client.post(
        reverse("assessment:decide", args=[assessment.pk]), {"decision": "approve", "comment": ""}
    )
    assert response.status_code == 400
    assert "Not approved: the report could not be frozen" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == "submitted"


def test_a_frozen_report_never_changes_and_is_never_deleted(approved):
    frozen = FrozenReport.objects.get()
    frozen.app_version = "9.9.9"
    with pytest.raises(FrozenReportLocked):
        frozen.save()
    with pytest.raises(FrozenReportLocked):
        frozen.delete()
    with pytest.raises(FrozenReportLocked):
        FrozenReport.objects.update(app_version="9.9.9")
    with pytest.raises(FrozenReportLocked):
        FrozenReport.objects.all().delete()
    assert FrozenReport.objects.get().app_version == "0.1.0"


def test_freezing_again_returns_the_existing_report(approved):
    first = FrozenReport.objects.get()
    assert report_freeze(assessment=approved).pk == first.pk
    assert FrozenReport.objects.count() == 1


def test_the_admin_shows_frozen_reports_read_only(client, approved, admin_user):
    login(client, admin_user)
    frozen = FrozenReport.objects.get()
    listing = client.get(reverse("admin:assessment_frozenreport_changelist"))
    assert listing.status_code == 200
    assert frozen.snapshot_sha256[:12] in listing.content.decode()
    page = client.get(reverse("admin:assessment_frozenreport_change", args=[frozen.pk]))
    assert page.status_code == 200
    assert frozen.snapshot_sha256 in page.content.decode()
    assert b'type="submit"' not in page.content or b'name="_save"' not in page.content
    assert client.get(reverse("admin:assessment_frozenreport_add")).status_code == 403
    assert (
        client.post(reverse("admin:assessment_frozenreport_delete", args=[frozen.pk])).status_code
        == 403
    )


# Downloads ---------------------------------------------------------------------------------


def test_downloading_an_approved_report_twice_gives_the_stored_bytes(client, approved, owner):
    login(client, owner)
    first = download(client, approved)
    second = download(client, approved)
    assert first == second == bytes(FrozenReport.objects.get().pdf)


def test_a_template_change_after_approval_does_not_change_the_download(
    client, approved, owner, settings, tmp_path
):
    login(client, owner)
    before = download(client, approved)
    override = tmp_path / "assessment"
    override.mkdir()
    (override / "_report_summary.html").write_text("<section><h1>Changed summary</h1></section>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    draft = AssessmentFactory(
        partnership=approved.partnership, owner=owner, framework=approved.framework
    )
    assert (
        "Changed summary" in PdfReader(io.BytesIO(download(client, draft))).pages[1].extract_text()
    )
    assert download(client, approved) == before


def test_frozen_download_has_an_etag_and_answers_304(client, approved, owner):
    login(client, owner)
    frozen = FrozenReport.objects.get()
    url = reverse("assessment:export_pdf", args=[approved.pk])
    response = client.get(url)
    assert response["ETag"] == f'"{frozen.pdf_sha256}"'
    assert response["Content-Disposition"].endswith('-v1.pdf"')
    again = client.get(url, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304


def test_approved_json_export_is_the_frozen_snapshot(client, approved, owner):
    login(client, owner)
    content = download(client, approved, "assessment:export_json")
    frozen = FrozenReport.objects.get()
    assert content == bytes(frozen.snapshot_json)
    assert freeze.sha256_hex(content) == frozen.snapshot_sha256


def test_outsider_cannot_download_a_frozen_report(client, approved, outsider):
    login(client, outsider)
    assert client.get(reverse("assessment:export_pdf", args=[approved.pk])).status_code == 404


def test_legacy_approval_is_frozen_on_first_download(client, assessment, owner):
    answer_all(assessment, owner)
    Assessment.objects.filter(pk=assessment.pk).update(status="approved")
    login(client, owner)
    first = download(client, assessment)
    assert FrozenReport.objects.get().assessment_id == assessment.pk
    assert download(client, assessment) == first
    cover = PdfReader(io.BytesIO(first)).pages[0].extract_text()
    assert "Approved; the approval was not recorded" in cover


def test_freeze_reports_command_freezes_legacy_approvals_once(assessment, owner):
    answer_all(assessment, owner)
    Assessment.objects.filter(pk=assessment.pk).update(status="approved")
    out = io.StringIO()
    call_command("freeze_reports", "--dry-run", stdout=out)
    assert "1 report(s) to freeze" in out.getvalue()
    assert not FrozenReport.objects.exists()
    call_command("freeze_reports", stdout=out)
    frozen = FrozenReport.objects.get()
    out = io.StringIO()
    call_command("freeze_reports", stdout=out)
    assert "0 report(s) frozen" in out.getvalue()
    assert FrozenReport.objects.get().pdf_sha256 == frozen.pdf_sha256


# The PDF ---------------------------------------------------------------------------------


def test_report_is_pdf_a_3_tagged_with_both_associated_files(approved):
    frozen = FrozenReport.objects.get()
    reader = PdfReader(io.BytesIO(bytes(frozen.pdf)))
    xmp = reader.xmp_metadata.stream.get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="U"' in xmp
    assert f"snapshot-sha256:{frozen.snapshot_sha256}" in xmp
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert "/OutputIntents" in root
    associated = [ref.get_object() for ref in root["/AF"]]
    by_name = {spec["/UF"]: spec for spec in associated}
    assert sorted(by_name) == ["assessment.json", "bank.yaml"]
    assert by_name["assessment.json"]["/AFRelationship"] == "/Data"
    assert by_name["bank.yaml"]["/AFRelationship"] == "/Source"
    mime = {name: spec["/EF"]["/F"].get_object()["/Subtype"] for name, spec in by_name.items()}
    assert mime == {"assessment.json": "/application/json", "bank.yaml": "/application/yaml"}
    assert len(root["/AF"]) == 2
    files = {entry.name: entry.content for entry in reader.attachment_list}
    assert files == {
        "assessment.json": bytes(frozen.snapshot_json),
        "bank.yaml": bytes(frozen.bank_yaml),
    }
    assert reader.metadata["/SnapshotSHA256"] == frozen.snapshot_sha256


def test_every_page_shows_the_short_hash_and_the_cover_names_the_approver(approved):
    frozen = FrozenReport.objects.get()
    short = frozen.snapshot_sha256[:12]
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(bytes(frozen.pdf))).pages]
    for number, text in enumerate(pages, start=1):
        assert f"Snapshot {short} · Page {number} of {len(pages)}" in text, number
        assert "DRAFT" not in text and "SUBMITTED" not in text
    approval = StatusChange.objects.get(to_status="approved")
    assert f"reviewer, on {approval.at:%-d %B %Y}" in pages[0]
    assert frozen.snapshot_sha256 in "".join(pages[0].split())


@pytest.mark.parametrize("status, stamp", [("draft", "DRAFT"), ("submitted", "SUBMITTED")])
def test_drafts_and_submitted_render_on_demand_marked_on_every_page(
    client, assessment, owner, status, stamp, tmp_path
):
    answer_all(assessment, owner)
    if status == "submitted":
        assessment_submit(assessment=assessment, user=owner)
    login(client, owner)
    content = download(client, assessment)
    assert not FrozenReport.objects.exists()
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(content)).pages]
    for number, text in enumerate(pages, start=1):
        assert stamp in text, number
    path = tmp_path / "draft.pdf"
    path.write_bytes(content)
    code, out = run_verify(path)
    assert code == 0 and "verified" in out
    assert f"({status})" in out


def test_report_renders_from_its_snapshot_alone(approved, django_assert_num_queries):
    report = freeze.load_snapshot(
        bytes(FrozenReport.objects.get().snapshot_json), bytes(FrozenReport.objects.get().bank_yaml)
    )
    with django_assert_num_queries(0):
        content = pdf.render_snapshot(report)
    assert verify_report(content).outcome == Outcome.VERIFIED


# verify_report ------------------------------------------------------------------------------


def frozen_pdf_path(tmp_path, content=None) -> Path:
    path = tmp_path / "report.pdf"
    path.write_bytes(bytes(FrozenReport.objects.get().pdf) if content is None else content)
    return path


def test_verify_report_passes_on_an_approved_report(approved, tmp_path):
    code, out = run_verify(frozen_pdf_path(tmp_path))
    frozen = FrozenReport.objects.get()
    assert code == 0
    assert f"verified: {frozen.snapshot_sha256}" in out
    assert f"the same bytes as the frozen report of assessment {approved.pk}" in out


def test_verify_report_fails_when_one_byte_of_the_json_changes(approved, tmp_path):
    original = bytes(FrozenReport.objects.get().snapshot_json)
    index = original.index(b'"overall":') + len(b'"overall":') + 1
    tampered = original[:index] + bytes([original[index] ^ 1]) + original[index + 1 :]
    content = replace_embedded(bytes(FrozenReport.objects.get().pdf), "assessment.json", tampered)
    code, out = run_verify(frozen_pdf_path(tmp_path, content))
    assert code == 2
    assert "altered" in out


def test_verify_report_fails_when_the_bank_is_swapped(approved, tmp_path):
    path, data = default_bank(version=2)
    other = dump_bank(data).encode()
    content = replace_embedded(bytes(FrozenReport.objects.get().pdf), "bank.yaml", other)
    code, out = run_verify(frozen_pdf_path(tmp_path, content))
    assert code == 2
    assert "bank.yaml is not the bank" in out


def test_verify_report_fails_on_a_pdf_from_elsewhere(tmp_path):
    plain = pdf.render_html_to_pdf("<html><body><p>Hello</p></body></html>", archival=False)
    code, out = run_verify(frozen_pdf_path(tmp_path, plain))
    assert code == 2 and "not a report of this app" in out
    code, out = run_verify(frozen_pdf_path(tmp_path, b"GIF89a not a pdf at all"))
    assert code == 2 and "not a readable PDF" in out
    code, out = run_verify(tmp_path / "missing.pdf")
    assert code == 2


def test_verify_report_names_every_number_that_differs(approved, tmp_path):
    """A consistent report whose numbers today's scoring does not give (as after a
    change of methodology): exit 1, each differing field named."""
    frozen = FrozenReport.objects.get()
    report = freeze.load_snapshot(bytes(frozen.snapshot_json), bytes(frozen.bank_yaml))
    data = json.loads(bytes(frozen.snapshot_json))
    data["overall"] += 1
    data["dimensions"]["legal"]["score"] = 0.0
    data["models"]["bilateral"]["within_reach"] = not data["models"]["bilateral"]["within_reach"]
    json_bytes = freeze.canonical_json(data)
    altered = freeze.ReportSnapshot(data, json_bytes, report.bank, report.bank_yaml)
    code, out = run_verify(frozen_pdf_path(tmp_path, pdf.render_snapshot(altered)))
    assert code == 1
    for field in ("overall", "dimensions.legal.score", "models.bilateral.within_reach"):
        assert f"differs: {field}:" in out
    assert "3 field(s) differ" in out


def test_compare_names_paths_and_allows_float_noise():
    embedded = {"a": 1.0, "b": {"c": [1, 2.0000000000001]}, "d": None, "e": True}
    rescored = {"a": 1.0 + 1e-12, "b": {"c": [1, 2.0]}, "d": 3.0, "e": 1}
    assert [d.path for d in compare(embedded, rescored)] == ["d", "e"]
    assert [d.path for d in compare({"x": [1]}, {"x": [1, 2]})] == ["x"]


# Page by page ----------------------------------------------------------------------------


def long_bank(*, questions: int) -> dict:
    data = likert_bank(
        slug=f"long-{questions}",
        dimensions=4,
        questions_per_dimension=questions // 4,
        question_text="Question {index} of dimension {dimension}: does the partnership keep a "
        "written, regularly reviewed arrangement covering this part of counterterrorism "
        "cooperation, with named points of contact on both sides?",
    )
    for dim in data["dimensions"]:
        dim["name"] = f"Dimension {dim['code']} with a long descriptive name"
        for q in dim["questions"]:
            q["references"] = ["UN Security Council resolution 2396 (2017)", "ICD 203"]
    return data


def lowest(choices):
    return min(choices, key=lambda c: c.score)


@pytest.mark.parametrize(
    "name, questions",
    [("approved-38", 38), ("approved-200", 200), ("red-lines-v2", None)],
)
def test_report_pages_for_a_long_assessment(partnership, owner, reviewer, name, questions):
    """Writes test-artifacts/report/<name>.pdf for looking at page by page: the default bank
    v1 (38 questions), 200 questions with long texts, and bank v2 answered at the lowest
    level (red lines crossed, conditions unmet)."""
    if questions == 38:
        path, data = default_bank(version=1)
    elif questions:
        data = long_bank(questions=questions)
    else:
        path, data = default_bank(version=2)
    bank = framework_import(data=data, source="test", publish=True)
    assessment = AssessmentFactory(partnership=partnership, owner=owner, framework=bank)
    snapshot_bank = assessment_snapshot(assessment).bank
    assert questions is None or len(snapshot_bank.questions) == questions
    comment = (
        "Evidence: " + "liaison officers' reports and joint exercise after-action reviews. " * 3
    )
    values = {}
    for n, q in enumerate(snapshot_bank.questions):
        pick = lowest if questions is None else (lambda choices, n=n: choices[n % len(choices)])
        number = q.min_value if q.min_value is not None else 3
        value = replace(value_for(q, pick=pick, number=number), comment=comment)
        if q.is_scored:
            value = replace(value, confidence=("high", "medium", "low")[n % 3])
        values[q.code] = value
    save_answers(assessment, owner, values)
    approve(assessment, owner, reviewer)
    content = bytes(FrozenReport.objects.get(assessment=assessment).pdf)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(content)
    assert verify_report(content).outcome == Outcome.VERIFIED
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(content)).pages]
    assert "Key findings" in pages[1]
    text = "\n".join(pages)
    assert "Confidence: High" in text and "Confidence: Low" in text
    squeezed = "".join(text.split())  # extraction wraps lines
    if questions == 200:
        assert "References:UNSecurityCouncilresolution2396(2017);ICD203" in squeezed
    if questions is None:
        findings = "".join(pages[1].split("Key findings")[1].split())
        assert findings.startswith("Redlinecrossed:")
        assert "Conditionsnotmet:" in findings or "Conditionnotmet:" in findings


def test_bench_report_measures_rendering_and_serving_a_frozen_report(db):
    out = io.StringIO()
    call_command("bench_report", questions=8, runs=1, stdout=out)
    text = out.getvalue()
    assert re.search(r"ratio \d+\.\d\d", text)
    assert re.search(r"serving the frozen report .* median \d+\.\d ms", text)
    assert not FrozenReport.objects.exists()  # the benchmark keeps nothing


def test_results_page_says_the_downloads_are_the_frozen_report(client, approved, owner):
    login(client, owner)
    page = client.get(reverse("assessment:results", args=[approved.pk])).content.decode()
    assert FrozenReport.objects.get().snapshot_sha256[:12] in page
    assert "frozen report" in page


def test_serving_a_frozen_report_reads_only_the_pdf(
    client, approved, owner, django_assert_max_num_queries
):
    login(client, owner)
    # session, user, groups, assessment, report; the session's expiry update (3 statements)
    with django_assert_max_num_queries(8) as queries:
        download(client, approved)
    report_query = next(q["sql"] for q in queries.captured_queries if "frozenreport" in q["sql"])
    assert "snapshot_json" not in report_query and "bank_yaml" not in report_query


def test_report_of_independent_answers_shows_their_reconciliation_from_the_snapshot(
    partnership, owner, teammate, reviewer, django_assert_num_queries
):
    from assessment.services import Decision, assessment_go_independent, assessment_reconcile

    from .factories import UserFactory, small_bank_data
    from .test_consensus import respondent, reveal

    third = UserFactory(username="third", role="analyst")
    partnership.team.members.add(third)
    bank = framework_import(data=small_bank_data(slug="indep"), source="t", publish=True)
    assessment = AssessmentFactory(partnership=partnership, owner=owner, framework=bank)
    assessment_go_independent(
        assessment=assessment, user=owner, respondents=[owner, teammate, third]
    )
    assessment.refresh_from_db()
    reveal(assessment, owner, teammate, third)
    snapshot = assessment_snapshot(assessment)
    chosen = respondent(assessment, teammate)
    decisions = [
        Decision(q, snapshot.sets.of(chosen)[q.id], "Latest exercise report.", chosen)
        for q in snapshot.bank.questions
    ]
    assessment_reconcile(assessment=assessment, user=owner, decisions=decisions)
    assessment.refresh_from_db()
    approve(assessment, owner, reviewer)

    frozen = FrozenReport.objects.get()
    content = bytes(frozen.pdf)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "independent.pdf").write_bytes(content)
    text = "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())
    assert "3analystsansweredindependently;Krippendorff'salpha" in text
    assert "Independentanswersandtheirreconciliation" in text
    assert "owner:Disagree,teammate:Stronglyagree,third:Neitheragreenordisagree" in text
    assert "Stronglyagree(asteammate).Latestexercisereport." in text
    assert verify_report(content).outcome == Outcome.VERIFIED
    # Rendered again from the stored files alone, the report is the same text.
    report = freeze.load_snapshot(bytes(frozen.snapshot_json), bytes(frozen.bank_yaml))
    with django_assert_num_queries(0):
        again = pdf.render_snapshot(report)
    again_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(again)).pages)
    assert "".join(again_text.split()) == text
