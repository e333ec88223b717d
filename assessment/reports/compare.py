"""Side-by-side comparison and a partnership's trend, from snapshots."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..selectors import AssessmentSnapshot
from .chart import PALETTE, Series, TrendPoint, radar_svg, trend_svg

MAX_COMPARED = 6


class CannotCompare(ValueError):
    """The chosen assessments cannot be compared; the message says why."""


@dataclass(frozen=True)
class Cell:
    score: float | None
    delta: float | None


@dataclass(frozen=True)
class Comparison:
    snapshots: list[AssessmentSnapshot]
    labels: list[str]
    baseline: AssessmentSnapshot
    rows: list[tuple[str, list[Cell]]]
    overall: list[Cell]
    readiness: list[Cell]
    chart: str

    @property
    def columns(self) -> list[tuple[AssessmentSnapshot, str]]:
        return list(zip(self.snapshots, self.labels, strict=True))


def check_selection(count: int) -> None:
    if count < 2:
        raise CannotCompare(_("Choose at least two assessments to compare."))
    if count > MAX_COMPARED:
        raise CannotCompare(
            _("You chose %(count)d assessments; compare at most %(max)d at a time.")
            % {"count": count, "max": MAX_COMPARED}
        )


def label(snapshot: AssessmentSnapshot) -> str:
    a = snapshot.assessment
    return f"{a.partnership.name} #{a.pk} ({a.created_at:%Y-%m-%d})"


def declared_readiness(snapshot: AssessmentSnapshot) -> float | None:
    result = snapshot.score.model(snapshot.assessment.partnership.declared_model)
    return None if result is None else result.readiness


def compare(snapshots: Sequence[AssessmentSnapshot], *, baseline_pk: int | None) -> Comparison:
    """Dimension scores, overall and declared-model readiness, with deltas against the
    baseline. Across versions of a bank, dimensions are matched by code."""
    check_selection(len(snapshots))
    if len({s.bank.slug for s in snapshots}) > 1:
        raise CannotCompare(_("Only assessments made with the same question bank can be compared."))
    baseline = next((s for s in snapshots if s.assessment.pk == baseline_pk), snapshots[0])
    codes, names = [], {}
    for s in snapshots:
        for d in s.bank.dimensions:
            if d.code not in names:
                codes.append(d.code)
                names[d.code] = d.name

    def dim_score(s, code):
        return next((d.score for d in s.score.dimensions if d.code == code), None)

    def cells(value_of) -> list[Cell]:
        base = value_of(baseline)
        out = []
        for s in snapshots:
            value = value_of(s)
            delta = None if value is None or base is None or s is baseline else value - base
            out.append(Cell(value, delta))
        return out

    chart = radar_svg(
        [names[c] for c in codes],
        [
            Series(label(s), [dim_score(s, c) for c in codes], PALETTE[i % len(PALETTE)], True)
            for i, s in enumerate(snapshots)
        ],
        title=_("Dimension scores of the compared assessments"),
        description=_("Radar chart, 0 to 100 per dimension, one shape per assessment."),
        chart_id="compare",
    )
    return Comparison(
        snapshots=list(snapshots),
        labels=[label(s) for s in snapshots],
        baseline=baseline,
        rows=[(names[c], cells(lambda s, c=c: dim_score(s, c))) for c in codes],
        overall=cells(lambda s: s.score.overall),
        readiness=cells(declared_readiness),
        chart=chart,
    )


def trend_chart(partnership_name: str, snapshots: Sequence[AssessmentSnapshot]) -> str:
    """Approved assessments form the line; the others are separate, marked points."""
    return trend_svg(
        [
            TrendPoint(
                f"#{s.assessment.pk} {s.assessment.created_at:%Y-%m-%d}",
                s.score.overall,
                approved=s.assessment.status == s.assessment.Status.APPROVED,
            )
            for s in snapshots
        ],
        title=_("Overall score of %(name)s over time") % {"name": partnership_name},
        description=_(
            "One point per assessment, oldest first, 0 to 100. Approved assessments are joined "
            "by a line; drafts and assessments in review are hollow points, not joined."
        ),
    )
