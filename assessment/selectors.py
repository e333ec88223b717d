"""Reads: the assessment snapshot and the lists built from it, in constant queries.

`assessment_snapshot` is the one read model of an assessment. Every page, export
and report is built from it; when a feature needs more about an assessment, it
extends the snapshot instead of querying again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property, lru_cache

import django_filters
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from frameworks.io import dump_bank, framework_to_dict
from frameworks.models import Framework

from . import answers, consensus, scoring
from .models import Answer, Assessment, FrozenReport, Partnership, Respondent, StatusChange

# Banks -------------------------------------------------------------------------------


def bank_spec(framework: Framework) -> scoring.BankSpec:
    """The scoring input of a bank. Published and retired versions never change, so
    theirs is built once per process; drafts are read afresh."""
    if framework.is_draft or framework.published_at is None:
        return _build_bank_spec(framework)
    return _published_bank_spec(framework.pk, framework.published_at)


@lru_cache(maxsize=64)
def _published_bank_spec(framework_id: int, published_at: datetime) -> scoring.BankSpec:
    # published_at is part of the key, so a reused primary key can never hit.
    return _build_bank_spec(Framework.objects.get(pk=framework_id))


def _build_bank_spec(framework: Framework) -> scoring.BankSpec:
    return scoring.bank_from_dict(framework_to_dict(framework, with_ids=True))


@dataclass(frozen=True)
class BankExport:
    """A bank version as a report embeds it: the normalised dict and its YAML export."""

    data: Mapping
    yaml: bytes


def bank_export(framework: Framework) -> BankExport:
    """`export_framework`'s YAML of a bank version; cached like `bank_spec`."""
    if framework.is_draft or framework.published_at is None:
        return _build_bank_export(framework)
    return _published_bank_export(framework.pk, framework.published_at)


@lru_cache(maxsize=16)
def _published_bank_export(framework_id: int, published_at: datetime) -> BankExport:
    return _build_bank_export(Framework.objects.get(pk=framework_id))


def _build_bank_export(framework: Framework) -> BankExport:
    data = framework_to_dict(framework)
    return BankExport(data, dump_bank(data).encode("utf-8"))


# The snapshot --------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerRecord:
    """When and by whom an answer was last saved, and its version for conflicts; for a
    reconciled answer, whose answer it took and why."""

    version: int
    updated_at: datetime
    updated_by: str
    rationale: str = ""
    reconciled_from: int | None = None
    changed_after_reconciliation: bool = False


@dataclass(frozen=True)
class AnswerSets:
    """The independent answer sets of an assessment, one per respondent."""

    respondents: tuple[Respondent, ...]
    answers: Mapping[int, Mapping[int, answers.AnswerValue]]  # by respondent id

    @property
    def active(self) -> tuple[Respondent, ...]:
        return tuple(r for r in self.respondents if r.is_active)

    @property
    def revealed(self) -> bool:
        """Every active respondent has submitted (and there are at least two)."""
        active = self.active
        return len(active) >= 2 and all(r.status == Respondent.Status.SUBMITTED for r in active)

    def of(self, respondent: Respondent) -> Mapping[int, answers.AnswerValue]:
        return self.answers.get(respondent.pk, {})


@dataclass(frozen=True)
class AssessmentSnapshot:
    """An assessment with its bank, answers, scores and progress, read once.

    For an assessment answered independently, `sets` holds the respondents (and,
    once every set is in, their answers and `agreement`); a respondent's own
    questionnaire uses a snapshot of their set (`respondent`). The scores are
    worked out on first use: the questionnaire and autosave need only the answers
    and the progress."""

    assessment: Assessment
    bank: scoring.BankSpec
    answers: Mapping[int, answers.AnswerValue]
    records: Mapping[int, AnswerRecord]
    progress: scoring.Progress
    respondent: Respondent | None = None
    sets: AnswerSets | None = None
    agreement: consensus.Agreement | None = None
    # The coverage below which results are provisional: the setting, unless a frozen
    # report recorded its own.
    provisional_below: float | None = None

    @cached_property
    def score(self) -> scoring.AssessmentScore:
        return scoring.score_assessment(self.bank, self.answers)

    @cached_property
    def provisional(self) -> bool:
        threshold = self.provisional_below
        if threshold is None:
            threshold = settings.PROVISIONAL_BELOW_COVERAGE
        return scoring.is_provisional(self.score, threshold)

    def display(self, question: scoring.QuestionSpec) -> str:
        return answers.display(question, self.answers.get(question.id))

    @cached_property
    def missing_required(self) -> list[scoring.QuestionSpec]:
        codes = set(self.progress.missing_required)
        return [q for q in self.bank.questions if q.code in codes]

    @cached_property
    def approval(self) -> StatusChange | None:
        """Who approved the assessment, and when (one query, on first use)."""
        if self.assessment.status != Assessment.Status.APPROVED:
            return None
        return last_status_change(self.assessment, to=Assessment.Status.APPROVED)

    @cached_property
    def low_confidence(self) -> list[scoring.QuestionSpec]:
        return [
            q
            for q in self.bank.questions
            if q.id in self.answers and self.answers[q.id].confidence == "low"
        ]


def assessment_snapshot(
    assessment: Assessment, *, respondent: Respondent | None = None
) -> AssessmentSnapshot:
    """One query (the answers with their ticked options) once the bank is cached; for
    an assessment answered independently, one more for the respondents and, once every
    set is in, one for their answers. `respondent`: that respondent's own set."""
    bank = bank_spec(assessment.framework)
    values, records = _answers_of([assessment.pk], respondent=respondent)
    reconciled_at = assessment.reconciled_at
    if respondent is None and reconciled_at is not None:
        records[assessment.pk] = {
            qid: replace(r, changed_after_reconciliation=r.updated_at > reconciled_at)
            for qid, r in records[assessment.pk].items()
        }
    sets = answer_sets(assessment) if assessment.is_independent else None
    agreement = None
    if sets is not None and sets.revealed:
        agreement = consensus.agreement(
            bank,
            [sets.of(r) for r in sets.active],
            threshold=settings.DISAGREEMENT_SPREAD,
        )
    return _snapshot(
        assessment, bank, values[assessment.pk], records[assessment.pk],
        respondent=respondent, sets=sets, agreement=agreement,
    )  # fmt: skip


def assessment_snapshots(assessments: Iterable[Assessment]) -> dict[int, AssessmentSnapshot]:
    """Snapshots of several assessments (a dashboard page) in the same one query,
    without the independent sets."""
    assessments = list(assessments)
    banks = {a.framework_id: bank_spec(a.framework) for a in assessments}
    values, records = _answers_of([a.pk for a in assessments])
    return {
        a.pk: _snapshot(a, banks[a.framework_id], values[a.pk], records[a.pk]) for a in assessments
    }


def _snapshot(assessment, bank, values, records, **extra) -> AssessmentSnapshot:
    return AssessmentSnapshot(
        assessment=assessment,
        bank=bank,
        answers=values,
        records=records,
        progress=scoring.progress(bank, values),
        **extra,
    )


def answer_sets(assessment: Assessment) -> AnswerSets:
    """The respondents (one query) and, once every set is in, their answers (one)."""
    respondents = tuple(assessment.respondents.select_related("user", "removed_by"))
    sets = AnswerSets(respondents, {})
    if not sets.revealed:
        return sets
    values, _records = _answers_of([assessment.pk], respondent=ALL_RESPONDENTS)
    return AnswerSets(respondents, values)


ALL_RESPONDENTS = object()  # _answers_of: every respondent's set, keyed by respondent id


def _answers_of(assessment_ids: list[int], *, respondent=None):
    """Answers by owner id (an assessment's own answers, one respondent's set keyed by
    the assessment id, or every set keyed by respondent id) in one query."""
    values: dict[int, dict[int, answers.AnswerValue]] = defaultdict(dict)
    records: dict[int, dict[int, AnswerRecord]] = defaultdict(dict)
    if not assessment_ids:
        return values, records
    rows = Answer.objects.filter(assessment_id__in=assessment_ids)
    if respondent is ALL_RESPONDENTS:
        rows, key = rows.filter(respondent__isnull=False), "respondent_id"
    elif respondent is None:
        # NOT (respondent IS NOT NULL), not "IS NULL": without statistics, SQLite took
        # "respondent_id IS NULL" for a selective index lookup and walked every
        # assessment's own answers (93 ms instead of 1.4 for a dashboard page).
        rows, key = rows.exclude(respondent__isnull=False), "assessment_id"
    else:
        rows, key = rows.filter(respondent=respondent), "assessment_id"
    # One row per answer, or per ticked option of a multiple-choice answer (`linked`).
    multi, unique = defaultdict(set), {}
    for row in rows.values_list(
        "pk", key, "question_id", "choice_id", "number", "text", "is_na", "comment",
        "confidence", "version", "updated_at", "updated_by__username", "rationale",
        "reconciled_from_id", "choices",
    ):  # fmt: skip
        unique[row[0]] = row
        if row[-1] is not None:
            multi[row[0]].add(row[-1])
    for (
        pk, owner, question_id, choice_id, number, text, is_na, comment, confidence,
        version, updated_at, updated_by, rationale, reconciled_from, _linked,
    ) in unique.values():  # fmt: skip
        chosen = multi.get(pk) or ({choice_id} if choice_id else set())
        values[owner][question_id] = answers.AnswerValue(
            choice_ids=frozenset(chosen),
            number=number,
            text=text,
            is_na=is_na,
            comment=comment,
            confidence=confidence,
        )
        records[owner][question_id] = AnswerRecord(
            version, updated_at, updated_by, rationale, reconciled_from
        )
    return values, records


@dataclass(frozen=True)
class EarlierAnswer:
    """An answer given to a question of the same code in the version the assessment
    was moved from, and not carried over: shown beside the new question."""

    version: int
    display: str
    comment: str


def earlier_answers(assessment: Assessment) -> dict[str, EarlierAnswer]:
    """By question code, the answers the latest move to the current version dropped."""
    move = (
        assessment.version_moves.filter(to_framework_id=assessment.framework_id)
        .select_related("from_framework")
        .order_by("-at", "-pk")
        .first()
    )
    if move is None:
        return {}
    dropped = {entry["question"] for entry in move.dropped}
    return {
        entry["question"]: EarlierAnswer(
            move.from_framework.version, entry.get("display", ""), entry.get("comment") or ""
        )
        for entry in move.previous_answers
        if entry["question"] in dropped
    }


def assessment_by_id(pk: int) -> Assessment | None:
    """An assessment with what every page shows of it (for commands: no access check)."""
    return (
        Assessment.objects.select_related("partnership__team", "framework", "owner")
        .filter(pk=pk)
        .first()
    )


def status_history(assessment: Assessment) -> QuerySet[StatusChange]:
    return assessment.status_changes.select_related("by")


def last_status_change(assessment: Assessment, *, to: str) -> StatusChange | None:
    """The latest change into status `to` (notes that keep the status are skipped)."""
    changes = status_history(assessment).filter(to_status=to).exclude(from_status=to)
    return changes.order_by("-at", "-pk").first()


def frozen_report_of(assessment: Assessment, *fields: str) -> FrozenReport | None:
    """The frozen report of an assessment, loading only `fields` when given (the PDF and
    the snapshot are large)."""
    if assessment.status != Assessment.Status.APPROVED:
        return None
    reports = FrozenReport.objects.filter(assessment=assessment)
    return (reports.only("assessment_id", *fields) if fields else reports).first()


# Lists -------------------------------------------------------------------------------


class DashboardFilter(django_filters.FilterSet):
    """The dashboard's filters and sort orders; the CSV export reads the same."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=Assessment.Status.choices, label=_("Status"))
    partnership = django_filters.ModelChoiceFilter(
        queryset=Partnership.objects.none(), label=_("Partnership")
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("updated_at", "updated"),
            ("partnership__name", "partnership"),
            ("status", "status"),
            ("created_at", "created"),
        ),
        field_labels={
            "-updated": _("Recently updated"),
            "updated": _("Least recently updated"),
            "partnership": _("Partnership A-Z"),
            "-partnership": _("Partnership Z-A"),
            "status": _("Status"),
            "-created": _("Recently created"),
        },
        choices=[
            ("-updated", _("Recently updated")),
            ("updated", _("Least recently updated")),
            ("partnership", _("Partnership A-Z")),
            ("-partnership", _("Partnership Z-A")),
            ("status", _("Status")),
            ("-created", _("Recently created")),
        ],
        label=_("Sort by"),
        empty_label=None,
    )

    class Meta:
        model = Assessment
        fields = ["q", "status", "partnership"]

    def __init__(self, data=None, *, user, **kwargs):
        queryset = Assessment.objects.visible_to(user).select_related(
            "partnership", "framework", "owner"
        )
        super().__init__(data, queryset=queryset, **kwargs)
        self.filters["partnership"].queryset = Partnership.objects.visible_to(user).order_by("name")

    def search(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(
            Q(partnership__name__icontains=value)
            | Q(partnership__countries__icontains=value)
            | Q(owner__username__icontains=value)
            | Q(marking__icontains=value)
        )

    @property
    def qs(self) -> QuerySet[Assessment]:
        queryset = super().qs
        if not queryset.query.order_by:
            queryset = queryset.order_by("-updated_at")
        return queryset.order_by(*queryset.query.order_by, "-pk")
