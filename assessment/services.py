"""Writes: one atomic function per workflow step. Views, commands and tests call these.

Saving answers and conflicts. A page shows each answer with the `version` it was
at; the page sends that version back with every save (hidden `q<id>_version`).
`answers_save` locks the assessment row, so saves of one assessment happen one
at a time, then per answer: an unchanged value is skipped; a changed value based
on the stored version is written and its version goes up by one; a changed value
based on an older version is a conflict: the newer stored answer is kept and
returned, with who saved it and when. The page (or the autosave status line)
shows it and takes the newer version, so saving again deliberately replaces it.
The questionnaire view, autosave (`views/questionnaire.py`), the status partials
(`_autosave_status.html`, `_conflict.html`) and `static/js/app.js` show the result.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from frameworks.models import Framework

from . import answers, roles
from .access import (
    AssessmentLocked,
    can_create_assessment,
    check_answer_as,
    check_edit,
    check_manage_respondents,
    check_review,
    teams_for,
)
from .models import (
    Answer,
    Assessment,
    FrozenReport,
    Partnership,
    Respondent,
    StatusChange,
    Team,
)
from .reports import freeze, pdf, verify
from .scoring import QuestionSpec
from .selectors import AnswerRecord, answer_sets, assessment_snapshot, bank_export, bank_spec

ANSWER_FIELDS = ["choice", "number", "text", "is_na", "comment", "confidence"]


class AnswerConflict(Exception):
    """Someone saved a newer version of an answer; the newer one is kept."""


class ReportNotFrozen(Exception):
    """The report of an approval could not be built or did not verify; the approval
    is rolled back with it."""


class IncompleteAssessment(Exception):
    def __init__(self, missing: Sequence[str]):
        self.missing = list(missing)
        super().__init__(", ".join(missing))


@dataclass(frozen=True)
class AnswerChange:
    """A value for one question, and the answer version the page was showing."""

    question: QuestionSpec
    value: answers.AnswerValue
    base_version: int


@dataclass(frozen=True)
class Conflict:
    """The newer answer that a stale save did not replace."""

    value: answers.AnswerValue
    record: AnswerRecord


@dataclass(frozen=True)
class SaveResult:
    records: dict[int, AnswerRecord]
    conflicts: dict[int, Conflict]
    written: int


# Partnerships -----------------------------------------------------------------------


@transaction.atomic
def partnership_create(
    *, user, team: Team, name: str, countries: str, declared_model: str, description: str = ""
) -> Partnership:
    if not teams_for(user).filter(pk=team.pk).exists():
        raise PermissionDenied(_("Only analysts of a team file partnerships under it."))
    partnership = Partnership(
        team=team,
        name=name,
        countries=countries,
        declared_model=declared_model,
        description=description,
        created_by=user,
    )
    partnership.full_clean()
    partnership.save()
    return partnership


@transaction.atomic
def partnership_update(*, partnership: Partnership, **fields) -> Partnership:
    for name, value in fields.items():
        setattr(partnership, name, value)
    partnership.full_clean()
    partnership.save()
    return partnership


# Assessments --------------------------------------------------------------------------


@transaction.atomic
def assessment_create(
    *, user, partnership: Partnership, framework: Framework, marking: str
) -> Assessment:
    if not can_create_assessment(user, partnership):
        raise PermissionDenied(_("Only analysts of the partnership's team start assessments."))
    if framework.status != Framework.Status.PUBLISHED:
        raise ValidationError({"framework": _("Choose a published question bank.")})
    assessment = Assessment(
        partnership=partnership, framework=framework, owner=user, marking=marking.strip()
    )
    assessment.full_clean()
    assessment.save()
    StatusChange.objects.create(
        assessment=assessment, from_status="", to_status=assessment.status, by=user
    )
    return assessment


@transaction.atomic
def answers_save(
    *,
    assessment: Assessment,
    user,
    changes: Sequence[AnswerChange],
    respondent: Respondent | None = None,
) -> SaveResult:
    """Store a page (or one autosaved question) of answers in one transaction.

    A constant number of queries whatever the number of answers: lock, read,
    one bulk insert and one update (each with its history), the multiple
    choice links, and touching the assessment. Invalid values raise
    ValidationError and store nothing; stale ones come back as conflicts.
    `respondent`: save into that respondent's independent set instead.
    """
    locked = (
        Assessment.objects.select_for_update().select_related("partnership").get(pk=assessment.pk)
    )
    if respondent is None:
        check_edit(user, locked)
    else:
        respondent = Respondent.objects.get(pk=respondent.pk, assessment=locked)
        check_answer_as(user, locked, respondent)
    bank = bank_spec(assessment.framework)
    for change in changes:
        if bank.question_by_id.get(change.question.id) != change.question:
            raise ValidationError(_("This question is not part of this assessment's bank."))
        found = answers.problems(change.question, change.value)
        if found:
            raise ValidationError({change.question.code: list(found.values())})

    ids = [change.question.id for change in changes]
    stored = {
        a.question_id: a
        for a in Answer.objects.filter(
            assessment=locked, respondent=respondent, question_id__in=ids
        ).select_related("updated_by")
    }
    multi_links = _multi_links([a.pk for a in stored.values()], bank)
    now = timezone.now()
    records: dict[int, AnswerRecord] = {}
    conflicts: dict[int, Conflict] = {}
    created, updated, multi = [], [], {}
    for change in changes:
        question, value = change.question, change.value.normalised()
        current = stored.get(question.id)
        if current is None:
            if value == answers.AnswerValue():
                continue  # nothing given: no row for an unanswered question
            answer = Answer(
                assessment=locked, respondent=respondent, question_id=question.id, updated_by=user
            )
            created.append(answer)
        else:
            if _stored_value(current, multi_links) == value:
                records[question.id] = _record(current)
                continue
            if current.version != change.base_version:
                conflicts[question.id] = Conflict(
                    _stored_value(current, multi_links), _record(current)
                )
                continue
            answer = current
            answer.version += 1
            answer.updated_by = user
            # An answer changed after the reconciliation no longer rests on its rationale.
            answer.reconciled_from = None
            answer.rationale = ""
            updated.append(answer)
        _apply(answer, question, value, now)
        if question.kind == "multi":
            multi[question.id] = (answer, value.choice_ids)

    if created:
        created = bulk_create_with_history(created, Answer, default_user=user, default_date=now)
    if updated:
        _update_answers(
            updated,
            [*ANSWER_FIELDS, "version", "updated_by", "updated_at", "reconciled_from", "rationale"],
        )
        Answer.history.bulk_history_create(
            updated, update=True, default_user=user, default_change_reason=None, default_date=now
        )
    for answer in (*created, *updated):
        records[answer.question_id] = AnswerRecord(answer.version, now, user.get_username())
    if multi:
        _store_multi_choices(multi.values(), now)
    written = len(created) + len(updated)
    if written:
        Assessment.objects.filter(pk=locked.pk).update(updated_at=now)
    return SaveResult(records=records, conflicts=conflicts, written=written)


def _update_answers(rows: list[Answer], fields: list[str]) -> None:
    """One UPDATE for many answers, as `QuerySet.bulk_update` writes it, but with one
    WHEN per distinct value of a field rather than one per answer and field: building
    60 x 9 WHEN expressions took most of a page save's time; a page's answers share
    most values (the user, the time, empty comments, a few choices)."""
    cast = connection.features.requires_casted_case_in_updates
    values = {}
    for name in fields:
        field = Answer._meta.get_field(name)
        groups: dict = defaultdict(list)
        for answer in rows:
            value = getattr(answer, field.attname)
            groups[(type(value), repr(value))].append((answer.pk, value))
        if len(groups) == 1:
            values[field.attname] = Value(next(iter(groups.values()))[0][1], output_field=field)
            continue
        case = Case(
            *(
                When(pk__in=[pk for pk, _v in group], then=Value(group[0][1], output_field=field))
                for group in groups.values()
            ),
            output_field=field,
        )
        values[field.attname] = Cast(case, output_field=field) if cast else case
    Answer.objects.filter(pk__in=[answer.pk for answer in rows]).update(**values)


def _apply(answer: Answer, question: QuestionSpec, value: answers.AnswerValue, now) -> None:
    single = question.kind != "multi" and value.choice_ids
    answer.choice_id = next(iter(value.choice_ids)) if single else None
    answer.number = value.number
    answer.text = value.text
    answer.is_na = value.is_na
    answer.comment = value.comment
    answer.confidence = value.confidence
    answer.updated_at = now


def _multi_links(answer_ids: list[int], bank) -> dict[int, frozenset[int]]:
    if not answer_ids or not any(q.kind == "multi" for q in bank.questions):
        return {}
    links: dict[int, set[int]] = {}
    through = Answer.choices.through.objects.filter(answer_id__in=answer_ids)
    for answer_id, choice_id in through.values_list("answer_id", "choice_id"):
        links.setdefault(answer_id, set()).add(choice_id)
    return {pk: frozenset(ids) for pk, ids in links.items()}


def _stored_value(answer: Answer, multi_links: dict[int, frozenset[int]]) -> answers.AnswerValue:
    chosen = multi_links.get(answer.pk) or (
        frozenset([answer.choice_id]) if answer.choice_id else frozenset()
    )
    return answers.AnswerValue(
        choice_ids=chosen,
        number=answer.number,
        text=answer.text,
        is_na=answer.is_na,
        comment=answer.comment,
        confidence=answer.confidence,
    )


def _record(answer: Answer) -> AnswerRecord:
    return AnswerRecord(answer.version, answer.updated_at, answer.updated_by.get_username())


def _store_multi_choices(items, now) -> None:
    """Replace the ticked options of multiple-choice answers, with their history."""
    through = Answer.choices.through
    answer_ids = [answer.pk for answer, _ids in items]
    through.objects.filter(answer_id__in=answer_ids).delete()
    links = through.objects.bulk_create(
        through(answer_id=answer.pk, choice_id=choice_id)
        for answer, choice_ids in items
        for choice_id in sorted(choice_ids)
    )
    # The historical rows just written for these answers get the options as they are now.
    history = Answer.history.model
    latest = dict(
        history.objects.filter(id__in=answer_ids, history_date=now).values_list("id", "history_id")
    )
    m2m_model = _m2m_history_model()
    m2m_model.objects.bulk_create(
        m2m_model(history_id=latest[link.answer_id], answer_id=link.answer_id,
                  choice_id=link.choice_id, id=link.pk)
        for link in links
        if link.answer_id in latest
    )  # fmt: skip


def _m2m_history_model():
    from django.apps import apps

    return apps.get_model("assessment", "HistoricalAnswer_choices")


# Workflow ---------------------------------------------------------------------------


def _change_status(
    assessment: Assessment, *, to: str, user, comment: str = "", allowed_from: tuple
) -> Assessment:
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status not in allowed_from:
        raise AssessmentLocked(
            _("This assessment is %(status)s; that step is not possible now.")
            % {"status": locked.get_status_display().lower()}
        )
    StatusChange.objects.create(
        assessment=locked, from_status=locked.status, to_status=to, by=user, comment=comment
    )
    locked.status = to
    if to == Assessment.Status.SUBMITTED:
        locked.submitted_at = timezone.now()
    locked.save(update_fields=["status", "submitted_at", "updated_at"])
    return locked


@transaction.atomic
def assessment_submit(*, assessment: Assessment, user) -> Assessment:
    check_edit(user, assessment)
    missing = assessment_snapshot(assessment).progress.missing_required
    if missing:
        raise IncompleteAssessment(missing)
    return _change_status(
        assessment,
        to=Assessment.Status.SUBMITTED,
        user=user,
        allowed_from=(Assessment.Status.DRAFT, Assessment.Status.RETURNED),
    )


@transaction.atomic
def assessment_approve(*, assessment: Assessment, user, comment: str = "") -> Assessment:
    """Approve and freeze the report in one transaction: if the report cannot be
    built, nothing is approved."""
    check_review(user, assessment)
    approved = _change_status(
        assessment,
        to=Assessment.Status.APPROVED,
        user=user,
        comment=comment,
        allowed_from=(Assessment.Status.SUBMITTED,),
    )
    report_freeze(assessment=approved)
    return approved


@transaction.atomic
def report_freeze(*, assessment: Assessment) -> FrozenReport:
    """Store the report of an approved assessment: its snapshot and the PDF rendered
    from it, with their SHA-256. An existing frozen report is returned unchanged
    (never re-frozen). The PDF must verify before it is stored."""
    locked = (
        Assessment.objects.select_for_update()
        .select_related("partnership", "framework", "owner")
        .get(pk=assessment.pk)
    )
    existing = FrozenReport.objects.filter(assessment=locked).first()
    if existing is not None:
        return existing
    if locked.status != Assessment.Status.APPROVED:
        raise AssessmentLocked(_("Only an approved assessment has a frozen report."))
    snapshot = assessment_snapshot(locked)
    report = freeze.build_snapshot(
        snapshot, bank=bank_export(locked.framework), generated_at=timezone.now()
    )
    try:
        content = pdf.render_snapshot(report)
    except Exception as exc:
        raise ReportNotFrozen(
            _("The report could not be rendered: %(error)s") % {"error": exc}
        ) from exc
    check = verify.verify_report(content)
    if check.outcome != verify.Outcome.VERIFIED:
        raise ReportNotFrozen(
            _("The report did not verify: %(problems)s") % {"problems": "; ".join(check.lines())}
        )
    frozen = FrozenReport(
        assessment=locked,
        pdf=content,
        pdf_sha256=freeze.sha256_hex(content),
        snapshot_json=report.json_bytes,
        snapshot_sha256=report.sha256,
        bank_yaml=report.bank_yaml,
        bank_sha256=freeze.sha256_hex(report.bank_yaml),
        methodology_version=report.data["methodology_version"],
        app_version=report.meta["app_version"],
    )
    frozen.full_clean()
    frozen.save()
    return frozen


@transaction.atomic
def assessment_return(*, assessment: Assessment, user, comment: str) -> Assessment:
    check_review(user, assessment)
    if not comment.strip():
        raise ValidationError({"comment": _("Say what needs to change before returning it.")})
    return _change_status(
        assessment,
        to=Assessment.Status.RETURNED,
        user=user,
        comment=comment,
        allowed_from=(Assessment.Status.SUBMITTED,),
    )


# Independent answers and reconciliation ------------------------------------------------

MIN_RESPONDENTS, MAX_RESPONDENTS = 2, 8


def _note(assessment: Assessment, user, comment: str) -> None:
    """A line in the status history that does not change the status."""
    StatusChange.objects.create(
        assessment=assessment,
        from_status=assessment.status,
        to_status=assessment.status,
        by=user,
        comment=comment,
    )


def eligible_respondents(assessment: Assessment):
    """Analysts (and admins) of the assessment's team: who may answer independently."""
    users = get_user_model().objects.filter(teams=assessment.partnership.team_id)
    role = Q(groups__name__in=[roles.ANALYST, roles.ADMIN]) | Q(is_superuser=True)
    return users.filter(role).distinct().order_by("username")


@transaction.atomic
def assessment_go_independent(*, assessment: Assessment, user, respondents) -> list[Respondent]:
    """Have 2 to 8 analysts of the team answer independently before reconciling."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    check_manage_respondents(user, locked)
    if locked.is_independent:
        raise ValidationError(_("This assessment is already answered independently."))
    if Answer.objects.filter(assessment=locked).exists():
        raise ValidationError(
            _("Choose independent answering before anyone answers; this one has answers.")
        )
    chosen = list({u.pk: u for u in respondents}.values())
    if not MIN_RESPONDENTS <= len(chosen) <= MAX_RESPONDENTS:
        raise ValidationError(
            {"respondents": _("Choose between %(min)d and %(max)d respondents.")
             % {"min": MIN_RESPONDENTS, "max": MAX_RESPONDENTS}}
        )  # fmt: skip
    eligible = set(eligible_respondents(locked).values_list("pk", flat=True))
    strangers = [u.get_username() for u in chosen if u.pk not in eligible]
    if strangers:
        raise ValidationError(
            {"respondents": _("Not analysts of this team: %(names)s.")
             % {"names": ", ".join(strangers)}}
        )  # fmt: skip
    locked.mode = Assessment.Mode.INDEPENDENT
    locked.save(update_fields=["mode", "updated_at"])
    created = [Respondent.objects.create(assessment=locked, user=u) for u in chosen]
    _note(
        locked,
        user,
        _("Independent answers by %(names)s.")
        % {"names": ", ".join(u.get_username() for u in chosen)},
    )
    return created


@transaction.atomic
def respondent_remove(*, assessment: Assessment, respondent: Respondent, user) -> Respondent:
    """Exclude a respondent who will not answer; their set is kept."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    check_manage_respondents(user, locked)
    respondent = (
        Respondent.objects.select_for_update()
        .select_related("user")
        .get(pk=respondent.pk, assessment=locked)
    )
    if not locked.awaiting_reconciliation:
        raise AssessmentLocked(_("The answers are reconciled; the respondents stay as they are."))
    if not respondent.is_active:
        raise ValidationError(_("This respondent was removed already."))
    if locked.respondents.exclude(status=Respondent.Status.REMOVED).count() <= MIN_RESPONDENTS:
        raise ValidationError(
            _("At least %(min)d respondents must remain.") % {"min": MIN_RESPONDENTS}
        )
    respondent.status = Respondent.Status.REMOVED
    respondent.removed_at = timezone.now()
    respondent.removed_by = user
    respondent.save()
    _note(
        locked,
        user,
        _("Respondent %(name)s removed; their answers are kept but left out.")
        % {"name": respondent.user.get_username()},
    )
    if answer_sets(locked).revealed:
        _note(locked, user, _("Every independent answer set is in; the sets are revealed."))
    return respondent


@transaction.atomic
def answer_set_submit(*, assessment: Assessment, respondent: Respondent, user) -> Respondent:
    """A respondent hands in their set. When the last one does, the sets are revealed."""
    locked = (
        Assessment.objects.select_for_update().select_related("framework").get(pk=assessment.pk)
    )
    respondent = Respondent.objects.select_for_update().get(pk=respondent.pk, assessment=locked)
    check_answer_as(user, locked, respondent)
    missing = assessment_snapshot(locked, respondent=respondent).progress.missing_required
    if missing:
        raise IncompleteAssessment(missing)
    respondent.status = Respondent.Status.SUBMITTED
    respondent.submitted_at = timezone.now()
    respondent.save()
    if answer_sets(locked).revealed:
        _note(locked, user, _("Every independent answer set is in; the sets are revealed."))
    return respondent


@dataclass(frozen=True)
class Decision:
    """The reconciled answer to one question: a respondent's answer or another one."""

    question: QuestionSpec
    value: answers.AnswerValue
    rationale: str = ""
    source: Respondent | None = None


@transaction.atomic
def assessment_reconcile(*, assessment: Assessment, user, decisions: Sequence[Decision]) -> int:
    """Make the reconciled answers the assessment's own; every set stays as it is.

    Every question some respondent answered needs a decision; one where the
    respondents disagreed also needs a rationale. Any problem raises ValidationError
    listing them by question code, and nothing is stored.
    """
    locked = (
        Assessment.objects.select_for_update().select_related("framework").get(pk=assessment.pk)
    )
    check_manage_respondents(user, locked)
    snapshot = assessment_snapshot(locked)
    if snapshot.agreement is None or not locked.awaiting_reconciliation:
        raise AssessmentLocked(
            _("Answers can be reconciled once, after every respondent has submitted.")
        )
    active = {r.pk for r in snapshot.sets.active}
    by_question = {d.question.id: d for d in decisions}
    problems: dict[str, list[str]] = {}
    if set(by_question) - set(snapshot.bank.question_by_id):
        problems["?"] = [_("A decision is about a question of another bank.")]
    for row in snapshot.agreement.questions:
        question, decision = row.question, by_question.get(row.question.id)
        found = problems.setdefault(question.code, [])
        if decision is None:
            if any(answers.has_value(question, v) for v in row.values):
                found.append(_("Choose an answer."))
            continue
        if decision.question != question:
            found.append(_("A decision is about a question of another bank."))
        found.extend(answers.problems(question, decision.value).values())
        if not answers.has_value(question, decision.value):
            found.append(_("Choose an answer."))
        if row.disagreement and not decision.rationale.strip():
            found.append(_("The respondents disagreed: say why this answer."))
        if decision.source is not None and decision.source.pk not in active:
            found.append(_("Choose the answer of an active respondent."))
    problems = {code: found for code, found in problems.items() if found}
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    created, multi = [], []
    for decision in decisions:
        value = decision.value.normalised()
        answer = Answer(
            assessment=locked,
            question_id=decision.question.id,
            updated_by=user,
            reconciled_from=decision.source,
            rationale=decision.rationale.strip(),
        )
        _apply(answer, decision.question, value, now)
        created.append(answer)
        if decision.question.kind == "multi":
            multi.append((answer, value.choice_ids))
    created = bulk_create_with_history(created, Answer, default_user=user, default_date=now)
    if multi:
        _store_multi_choices(multi, now)
    # After the answers: their updated_at is stamped as they are inserted (auto_now), and
    # an answer updated after this moment counts as changed after the reconciliation.
    locked.reconciled_at = timezone.now()
    locked.save(update_fields=["reconciled_at", "updated_at"])
    _note(
        locked,
        user,
        _("Answers reconciled from %(n)d independent sets (%(d)d questions needed a rationale).")
        % {"n": len(active), "d": len(snapshot.agreement.disagreements)},
    )
    return len(created)


# Moving to a newer version of the bank --------------------------------------------------


@transaction.atomic
def assessment_move_to_version(*, assessment: Assessment, framework: Framework, user):
    """Move a draft (or returned) assessment to a newer published version of its bank.

    Answers whose question kept its code, kind and choice labels carry over with their
    comment and confidence (choices mapped by label; see `versions.py`); the others
    are deleted and listed for re-answering. One transaction: the answers, the
    assessment's bank, a status-history entry naming both lists, and a `VersionMove`
    holding the previous answers as exported, so nothing is lost.
    """
    from .models import VersionMove
    from .reports.export import assessment_export
    from .versions import plan_move

    locked = (
        Assessment.objects.select_for_update()
        .select_related("partnership", "framework", "owner")
        .get(pk=assessment.pk)
    )
    check_edit(user, locked)
    if locked.is_independent:
        # The respondents' sets and their agreement belong to the version they answered.
        raise AssessmentLocked(
            _("An assessment answered independently stays on its version of the bank.")
        )
    current = locked.framework
    if (
        framework.slug != current.slug
        or framework.status != Framework.Status.PUBLISHED
        or framework.version <= current.version
    ):
        raise ValidationError(
            {"framework": _("Choose a newer published version of the same question bank.")}
        )
    snapshot = assessment_snapshot(locked)
    plan = plan_move(snapshot.bank, bank_spec(framework), snapshot.answers)
    previous = assessment_export(snapshot)["answers"]
    for entry in previous:
        question = snapshot.bank.question_by_code[entry["question"]]
        entry["display"] = answers.display(question, snapshot.answers[question.id])

    now = timezone.now()
    stored = {
        a.question_id: a for a in Answer.objects.filter(assessment=locked, respondent__isnull=True)
    }
    moved, multi = [], {}
    for carried in plan.carried:
        answer = stored[carried.old.id]
        answer.question_id = carried.new.id
        answer.version += 1
        answer.updated_by = user
        _apply(answer, carried.new, carried.value, now)
        moved.append(answer)
        if carried.new.kind == "multi":
            multi[carried.new.id] = (answer, carried.value.choice_ids)
    if moved:
        bulk_update_with_history(
            moved,
            Answer,
            ["question", "choice", "version", "updated_by", "updated_at"],
            default_user=user,
            default_date=now,
        )
    if multi:
        _store_multi_choices(multi.values(), now)
    # Deleted with their history; the move below keeps their values too.
    Answer.objects.filter(pk__in=[stored[d.old.id].pk for d in plan.dropped]).delete()

    move = VersionMove(
        assessment=locked,
        from_framework=current,
        to_framework=framework,
        by=user,
        carried=plan.carried_codes,
        dropped=plan.dropped_entries,
        previous_answers=previous,
    )
    move.full_clean()
    move.save()
    comment = _(
        "Moved from version %(old)s to version %(new)s. Carried over (%(n_carried)d): "
        "%(carried)s. To answer again (%(n_dropped)d): %(dropped)s."
    ) % {
        "old": current.version,
        "new": framework.version,
        "n_carried": len(plan.carried),
        "carried": ", ".join(plan.carried_codes) or "-",
        "n_dropped": len(plan.dropped),
        "dropped": ", ".join(f"{d.old.code} ({d.reason})" for d in plan.dropped) or "-",
    }
    StatusChange.objects.create(
        assessment=locked,
        from_status=locked.status,
        to_status=locked.status,
        by=user,
        comment=comment,
    )
    locked.framework = framework
    locked.save(update_fields=["framework", "updated_at"])
    return move
