"""Frozen, verifiable reports: the snapshot a report is rendered from.

A report's snapshot is two files, embedded in its PDF and, for an approved
assessment, stored with it (`models.FrozenReport`, written by
`services.report_freeze`):

- `assessment.json`: the JSON export (schema 2: every score, and the answers by
  question code with labels, numbers, N/A and confidence) plus a `report` block
  (app version, when, who approved, the SHA-256 of `bank.yaml`, the coverage
  below which results are provisional). Canonical bytes: sorted keys, fixed
  separators, UTF-8. Its SHA-256 identifies the report: the PDF shows it in its
  footer (short) and metadata (full). It includes the SHA-256 of `bank.yaml`, so
  one hash covers both files.
- `bank.yaml`: the bank version's YAML export (`export_framework`).

The PDF is rendered from these files alone (`view_snapshot` rebuilds what the
template needs from them, in memory), never from the database, so the embedded
files are what produced the PDF. `verify.py` checks a PDF against them.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from frameworks.io import BankValidationError, validate_bank
from frameworks.models import Framework

from .. import answers, consensus, scoring
from ..models import Assessment, Partnership, Respondent
from ..selectors import AnswerRecord, AnswerSets, AssessmentSnapshot, BankExport
from .export import SCHEMA_VERSION, assessment_export

APP_NAME = "ct-cooperation"
JSON_NAME = "assessment.json"
JSON_MIME = "application/json"
BANK_NAME = "bank.yaml"
BANK_MIME = "application/yaml"
SHORT_HASH = 12
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# The PDF document information entry holding the SHA-256 of assessment.json (the XMP
# metadata has it too, as the keyword "snapshot-sha256:<hash>").
SNAPSHOT_INFO_KEY = "SnapshotSHA256"


class InvalidReport(Exception):
    """The embedded files are not a report snapshot of this app, or do not belong together."""


def app_version() -> str:
    return importlib.metadata.version(APP_NAME)


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def canonical_json(data: Mapping) -> bytes:
    """The one byte form of a snapshot: its hash is the report's identity."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def person_name(user) -> str:
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class ReportSnapshot:
    """The two embedded files, as bytes and parsed."""

    data: Mapping
    json_bytes: bytes
    bank: Mapping
    bank_yaml: bytes

    @cached_property
    def sha256(self) -> str:
        return sha256_hex(self.json_bytes)

    @property
    def short_sha256(self) -> str:
        return self.sha256[:SHORT_HASH]

    @property
    def meta(self) -> Mapping:
        return self.data["report"]


def build_snapshot(
    snapshot: AssessmentSnapshot, *, bank: BankExport, generated_at: datetime
) -> ReportSnapshot:
    """The report snapshot of an assessment as it is now."""
    a = snapshot.assessment
    approval = snapshot.approval
    data = assessment_export(snapshot)
    data["report"] = {
        "app": APP_NAME,
        "app_version": app_version(),
        "generated_at": generated_at.isoformat(),
        "bank_file": BANK_NAME,
        "bank_sha256": sha256_hex(bank.yaml),
        "provisional_below_coverage": settings.PROVISIONAL_BELOW_COVERAGE,
        "owner_name": person_name(a.owner),
        "approved_by": approval.by.get_username() if approval else None,
        "approved_by_name": person_name(approval.by) if approval else None,
        "approved_at": approval.at.isoformat() if approval else None,
    }
    json_bytes = canonical_json(data)
    return ReportSnapshot(json.loads(json_bytes), json_bytes, bank.data, bank.yaml)


def load_snapshot(json_bytes: bytes, bank_yaml: bytes) -> ReportSnapshot:
    """The snapshot in a report's embedded files; InvalidReport when they are not one
    (not this app's JSON, a bank that is not the one the JSON names)."""
    try:
        data = json.loads(json_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidReport(f"{JSON_NAME} is not JSON: {exc}") from None
    meta = data.get("report") if isinstance(data, dict) else None
    if not isinstance(meta, dict) or meta.get("app") != APP_NAME:
        raise InvalidReport(f"{JSON_NAME} is not a report snapshot of {APP_NAME}")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise InvalidReport(f"{JSON_NAME}: unknown schema_version {data.get('schema_version')!r}")
    if sha256_hex(bank_yaml) != meta.get("bank_sha256"):
        raise InvalidReport(f"{BANK_NAME} is not the bank {JSON_NAME} was scored against")
    try:
        # The bytes are those the hash in assessment.json names, so libyaml's loader
        # may read them (the import's loader also refuses duplicate keys, slowly).
        bank = validate_bank(yaml.load(bank_yaml, Loader=FAST_LOADER), source=BANK_NAME)
    except (BankValidationError, yaml.YAMLError) as exc:
        raise InvalidReport(f"{BANK_NAME}: {exc}") from None
    named = data.get("framework") or {}
    found = {"slug": bank["slug"], "version": bank["version"], "title": bank["title"]}
    if {key: named.get(key) for key in found} != found:
        raise InvalidReport(f"{BANK_NAME} is {found}, {JSON_NAME} names {named}")
    return ReportSnapshot(data, json_bytes, bank, bank_yaml)


@dataclass(frozen=True)
class Rescored:
    bank: scoring.BankSpec
    answers: Mapping[int, answers.AnswerValue]
    score: scoring.AssessmentScore
    provisional: bool


def rescore(report: ReportSnapshot) -> Rescored:
    """Score the embedded answers against the embedded bank with today's code."""
    bank = scoring.bank_from_dict(report.bank)
    values = {}
    for index, entry in enumerate(report.data.get("answers") or ()):
        try:
            question = bank.question_by_code[entry["question"]]
            values[question.id] = answers.from_export(question, entry)
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidReport(f"{JSON_NAME}: answers[{index}]: {exc!r}") from None
    score = scoring.score_assessment(bank, values)
    threshold = report.meta.get("provisional_below_coverage")
    if not isinstance(threshold, int | float):
        raise InvalidReport(f"{JSON_NAME}: report.provisional_below_coverage is missing")
    return Rescored(bank, values, score, scoring.is_provisional(score, threshold))


def view_snapshot(report: ReportSnapshot, rescored: Rescored) -> AssessmentSnapshot:
    """An assessment snapshot rebuilt in memory from the report's files alone, for the
    report template (the objects are never saved)."""
    d = report.data
    partnership = Partnership(
        pk=d["partnership"]["id"],
        name=d["partnership"]["name"],
        countries=", ".join(d["partnership"]["countries"]),
        declared_model=d["partnership"]["declared_model"],
    )
    framework = Framework(
        slug=d["framework"]["slug"],
        version=d["framework"]["version"],
        title=d["framework"]["title"],
        status=Framework.Status.PUBLISHED,
    )
    sets, agreement, records = independent_from_export(d, rescored.bank)
    assessment = Assessment(
        pk=d["id"],
        partnership=partnership,
        framework=framework,
        owner=get_user_model()(username=d["owner"]),
        status=d["status"],
        marking=d["marking"],
        created_at=parse_datetime(d["created_at"]),
    )
    return AssessmentSnapshot(
        assessment=assessment,
        bank=rescored.bank,
        answers=rescored.answers,
        records=records,
        progress=scoring.progress(rescored.bank, rescored.answers),
        sets=sets,
        agreement=agreement,
        provisional_below=report.meta["provisional_below_coverage"],
    )


def independent_from_export(data: Mapping, bank: scoring.BankSpec):
    """The respondents, agreement and reconciliation records of an export's
    `respondents` and `agreement` blocks, as the snapshot carries them (for the report's
    section on independent answers): (sets, agreement, records by question id)."""
    listed = data.get("respondents") or []
    if not listed:
        return None, None, {}
    User = get_user_model()
    respondents = tuple(
        Respondent(
            pk=n,
            user=User(username=entry["user"]),
            status=entry["status"] or Respondent.Status.ANSWERING,
        )
        for n, entry in enumerate(listed, start=1)
    )
    sets = AnswerSets(respondents, {})
    block = data.get("agreement")
    if not block:
        return sets, None, {}
    by_name = {r.user.get_username(): r for r in respondents}
    names = [r.user.get_username() for r in sets.active]
    rows, records = [], {}
    for row in block["questions"]:
        question = bank.question_by_code[row["question"]]
        values = tuple(_set_value(question, row, name) for name in names)
        rows.append(
            consensus.QuestionAgreement(
                question=question,
                values=values,
                scores=tuple(scoring.question_score(question, v) for v in values),
                spread=row["spread"],
                modal=tuple(answers.from_export(question, {"value": v}) for v in row["modal"]),
                agreed=None,
                disagreement=row["disagreement"],
            )
        )
        source = by_name.get(row.get("reconciled_from") or "")
        changed_by = row.get("changed_after_reconciliation_by")
        if row.get("rationale") or source or changed_by:
            records[question.id] = AnswerRecord(
                version=0,
                updated_at=None,
                updated_by=changed_by or "",
                rationale=row.get("rationale") or "",
                reconciled_from=source.pk if source else None,
                changed_after_reconciliation=bool(changed_by),
            )
    agreement = consensus.Agreement(
        questions=tuple(rows),
        alpha=block["alpha"],
        alpha_questions=block["alpha_questions"],
        threshold=block["disagreement_spread"],
    )
    return sets, agreement, records


def _set_value(question, row: Mapping, name: str) -> answers.AnswerValue | None:
    if name in (row.get("na") or ()):
        return answers.AnswerValue(is_na=True)
    value = row["values"].get(name)
    if value is None:
        return None
    return answers.from_export(question, {"value": value})


STAMPS = {
    Assessment.Status.DRAFT: _("DRAFT"),
    Assessment.Status.RETURNED: _("DRAFT"),
    Assessment.Status.SUBMITTED: _("SUBMITTED"),
}


@dataclass(frozen=True)
class ReportFacts:
    """What the cover, the running headers and footers and the metadata say about the
    report itself, from its snapshot."""

    sha256: str
    short_sha256: str
    status: str
    stamp: str | None
    owner_name: str
    approved_by_name: str | None
    approved_at: datetime | None
    generated_at: datetime
    app_version: str
    methodology_version: int
    bank_sha256: str


def report_facts(report: ReportSnapshot) -> ReportFacts:
    meta = report.meta
    approved_at = meta.get("approved_at")
    return ReportFacts(
        sha256=report.sha256,
        short_sha256=report.short_sha256,
        status=report.data["status"],
        stamp=STAMPS.get(report.data["status"]),
        owner_name=meta["owner_name"],
        approved_by_name=meta.get("approved_by_name"),
        approved_at=parse_datetime(approved_at) if approved_at else None,
        generated_at=parse_datetime(meta["generated_at"]),
        app_version=meta["app_version"],
        methodology_version=report.data["methodology_version"],
        bank_sha256=meta["bank_sha256"],
    )
