"""Writes: one function per workflow step. Views and commands call these."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frameworks.models import Framework, Question

from .access import AssessmentLocked
from .models import Answer, Assessment, Partnership, StatusChange, Team
from .selectors import answer_value, answers_by_question, bank_spec, progress


@dataclass(frozen=True)
class AnswerInput:
    choice_ids: frozenset[int] = frozenset()
    number: float | None = None
    text: str = ""
    is_na: bool = False
    comment: str = ""


class AnswerConflict(Exception):
    """Someone saved a newer version of this answer; the newer one is kept."""

    def __init__(self, current: Answer):
        self.current = current
        super().__init__(f"answer {current.pk} is at version {current.version}")


class IncompleteAssessment(Exception):
    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__(", ".join(missing))


def answer_problems(question: Question, value: AnswerInput) -> dict[str, str]:
    """What is wrong with a value for a question; shared by forms and services."""
    problems = {}
    if value.is_na and not question.allow_na:
        problems["na"] = _("This question cannot be answered N/A.")
    if value.is_na:
        return problems
    valid_ids = {c.pk for c in question.choices.all()}
    if not value.choice_ids <= valid_ids:
        problems["value"] = _("Select a valid choice for this question.")
    elif question.kind != Question.Kind.MULTI and len(value.choice_ids) > 1:
        problems["value"] = _("Select only one choice.")
    if value.choice_ids and not question.has_choices:
        problems["value"] = _("This question takes no choices.")
    if value.number is not None:
        if question.kind != Question.Kind.NUMERIC:
            problems["value"] = _("This question takes no number.")
        elif question.min_value is not None and value.number < question.min_value:
            problems["value"] = _("Enter a number of at least %(min)g.") % {
                "min": question.min_value
            }
        elif question.max_value is not None and value.number > question.max_value:
            problems["value"] = _("Enter a number of at most %(max)g.") % {
                "max": question.max_value
            }
    if value.text and question.kind != Question.Kind.TEXT:
        problems["value"] = _("This question takes no free text.")
    return problems


@transaction.atomic
def partnership_create(
    *, user, team: Team, name: str, countries: str, declared_model: str, description: str = ""
) -> Partnership:
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


@transaction.atomic
def assessment_create(
    *, user, partnership: Partnership, framework: Framework, marking: str
) -> Assessment:
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


def _stored_input(answer: Answer) -> AnswerInput:
    return AnswerInput(
        choice_ids=answer_value(answer).choice_ids,
        number=answer.number,
        text=answer.text,
        is_na=answer.is_na,
        comment=answer.comment,
    )


def _normalised(value: AnswerInput) -> AnswerInput:
    # N/A replaces any value: an N/A answer keeps only its comment.
    if value.is_na:
        return AnswerInput(is_na=True, comment=value.comment)
    return value


@transaction.atomic
def answer_save(
    *, assessment: Assessment, question: Question, user, value: AnswerInput, base_version: int
) -> Answer:
    """Store one answer if it is based on the stored version.

    `base_version` is the version the analyst's page was showing (0 for no
    answer yet). An unchanged value is a no-op; a changed value based on an
    older version raises AnswerConflict and leaves the newer answer in place.
    """
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not locked.is_editable:
        raise AssessmentLocked(_("This assessment is no longer a draft."))
    if question.framework_id != locked.framework_id:
        raise ValidationError(_("This question is not part of this assessment's bank."))
    problems = answer_problems(question, value)
    if problems:
        raise ValidationError(problems)
    value = _normalised(value)

    current = _locked_answer(assessment, question)
    if current is None:
        try:
            with transaction.atomic():
                answer = Answer.objects.create(
                    assessment=locked,
                    question=question,
                    number=value.number,
                    text=value.text,
                    is_na=value.is_na,
                    comment=value.comment,
                    updated_by=user,
                )
        except IntegrityError:
            # Another request created it between our read and our insert.
            current = _locked_answer(assessment, question)
        else:
            answer.choices.set(value.choice_ids)
            _touch(locked)
            return answer

    if _stored_input(current) == value:
        return current
    if current.version != base_version:
        raise AnswerConflict(current)
    current.number = value.number
    current.text = value.text
    current.is_na = value.is_na
    current.comment = value.comment
    current.version += 1
    current.updated_by = user
    current.save()
    current.choices.set(value.choice_ids)
    _touch(locked)
    return current


def _locked_answer(assessment: Assessment, question: Question) -> Answer | None:
    return (
        Answer.objects.select_for_update()
        .filter(assessment=assessment, question=question)
        .prefetch_related("choices")
        .first()
    )


def _touch(assessment: Assessment) -> None:
    Assessment.objects.filter(pk=assessment.pk).update(updated_at=timezone.now())


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


def missing_required(assessment: Assessment) -> list[str]:
    bank = bank_spec(assessment.framework)
    values = {qid: answer_value(a) for qid, a in answers_by_question(assessment).items()}
    prog = progress(bank, values)
    return [code for dim in bank.dimensions for code in prog[dim.code]["missing_required"]]


@transaction.atomic
def assessment_submit(*, assessment: Assessment, user) -> Assessment:
    missing = missing_required(assessment)
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
    return _change_status(
        assessment,
        to=Assessment.Status.APPROVED,
        user=user,
        comment=comment,
        allowed_from=(Assessment.Status.SUBMITTED,),
    )


@transaction.atomic
def assessment_return(*, assessment: Assessment, user, comment: str) -> Assessment:
    if not comment.strip():
        raise ValidationError({"comment": _("Say what needs to change before returning it.")})
    return _change_status(
        assessment,
        to=Assessment.Status.RETURNED,
        user=user,
        comment=comment,
        allowed_from=(Assessment.Status.SUBMITTED,),
    )
