"""Reads: the assessment snapshot and the lists built from it, in constant queries.

`assessment_snapshot` is the one read model of an assessment. Every page, export
and report is built from it; when a feature needs more about an assessment, it
extends the snapshot instead of querying again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache

import django_filters
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from frameworks.io import framework_to_dict
from frameworks.models import Framework

from . import answers, scoring
from .models import Answer, Assessment, Partnership, StatusChange

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


# The snapshot --------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerRecord:
    """When and by whom an answer was last saved, and its version for conflicts."""

    version: int
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True)
class AssessmentSnapshot:
    """An assessment with its bank, answers, scores and progress, read once."""

    assessment: Assessment
    bank: scoring.BankSpec
    answers: Mapping[int, answers.AnswerValue]
    records: Mapping[int, AnswerRecord]
    score: scoring.AssessmentScore
    progress: scoring.Progress
    provisional: bool

    def display(self, question: scoring.QuestionSpec) -> str:
        return answers.display(question, self.answers.get(question.id))

    @cached_property
    def missing_required(self) -> list[scoring.QuestionSpec]:
        codes = set(self.progress.missing_required)
        return [q for q in self.bank.questions if q.code in codes]

    @cached_property
    def low_confidence(self) -> list[scoring.QuestionSpec]:
        return [
            q
            for q in self.bank.questions
            if q.id in self.answers and self.answers[q.id].confidence == "low"
        ]


def assessment_snapshot(assessment: Assessment) -> AssessmentSnapshot:
    """Two queries (answers, multiple-choice links) once the bank is cached."""
    return assessment_snapshots([assessment])[assessment.pk]


def assessment_snapshots(assessments: Iterable[Assessment]) -> dict[int, AssessmentSnapshot]:
    """Snapshots of several assessments (a dashboard page) in the same two queries."""
    assessments = list(assessments)
    banks = {a.framework_id: bank_spec(a.framework) for a in assessments}
    values, records = _answers_of([a.pk for a in assessments])
    threshold = settings.PROVISIONAL_BELOW_COVERAGE
    out = {}
    for a in assessments:
        bank = banks[a.framework_id]
        score = scoring.score_assessment(bank, values[a.pk])
        out[a.pk] = AssessmentSnapshot(
            assessment=a,
            bank=bank,
            answers=values[a.pk],
            records=records[a.pk],
            score=score,
            progress=scoring.progress(bank, values[a.pk]),
            provisional=scoring.is_provisional(score, threshold),
        )
    return out


def _answers_of(assessment_ids: list[int]):
    values: dict[int, dict[int, answers.AnswerValue]] = defaultdict(dict)
    records: dict[int, dict[int, AnswerRecord]] = defaultdict(dict)
    if not assessment_ids:
        return values, records
    multi = defaultdict(set)
    links = Answer.choices.through.objects.filter(answer__assessment_id__in=assessment_ids)
    for answer_id, choice_id in links.values_list("answer_id", "choice_id"):
        multi[answer_id].add(choice_id)
    rows = Answer.objects.filter(assessment_id__in=assessment_ids).values_list(
        "pk", "assessment_id", "question_id", "choice_id", "number", "text", "is_na",
        "comment", "confidence", "version", "updated_at", "updated_by__username",
    )  # fmt: skip
    for (
        pk, assessment_id, question_id, choice_id, number, text, is_na,
        comment, confidence, version, updated_at, updated_by,
    ) in rows:  # fmt: skip
        chosen = multi.get(pk) or ({choice_id} if choice_id else set())
        values[assessment_id][question_id] = answers.AnswerValue(
            choice_ids=frozenset(chosen),
            number=number,
            text=text,
            is_na=is_na,
            comment=comment,
            confidence=confidence,
        )
        records[assessment_id][question_id] = AnswerRecord(version, updated_at, updated_by)
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


def status_history(assessment: Assessment) -> QuerySet[StatusChange]:
    return assessment.status_changes.select_related("by")


def last_status_change(assessment: Assessment) -> StatusChange | None:
    return status_history(assessment).order_by("-at", "-pk").first()


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
