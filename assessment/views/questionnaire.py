"""The step-by-step questionnaire: one page per dimension, autosave per question.

The same pages serve the assessment's own answers and, when it is answered
independently, each respondent's own set ("my answers"). How saving and
conflicts work is explained once, in `services.py`.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from frameworks.selectors import newer_published

from ..access import (
    AssessmentLocked,
    assessment_for,
    can_answer_as,
    can_manage_respondents,
    edit_refusal,
)
from ..forms import AnswersForm, question_items
from ..models import Respondent
from ..selectors import assessment_snapshot, bank_spec, earlier_answers, last_status_change
from ..services import answers_save


@dataclass(frozen=True)
class Target:
    """Whose answers a questionnaire page edits, and the URL names that go with them."""

    respondent: Respondent | None
    step: str
    autosave: str
    review: str


def _main() -> Target:
    return Target(None, "assessment:questionnaire_step", "assessment:autosave", "assessment:review")


def _own_set(request, assessment) -> Target:
    respondent = Respondent.objects.filter(assessment=assessment, user=request.user).first()
    if respondent is None:
        raise Http404
    return Target(
        respondent, "assessment:my_answers_step", "assessment:my_autosave", "assessment:my_set"
    )


@never_cache
def questionnaire(request, pk, step: str | None = None):
    assessment = assessment_for(request.user, pk)
    refusal = edit_refusal(request.user, assessment)
    if refusal and request.method != "POST":
        if assessment.awaiting_reconciliation:
            return redirect("assessment:independent", pk=assessment.pk)
        return redirect("assessment:review", pk=assessment.pk)
    return _page(request, assessment, step, _main(), refusal)


@never_cache
def my_answers(request, pk, step: str | None = None):
    """A respondent's own set, answered blind."""
    assessment = assessment_for(request.user, pk)
    target = _own_set(request, assessment)
    if can_answer_as(request.user, assessment, target.respondent):
        refusal = None
    elif request.method == "POST":
        refusal = _("Your answers are submitted; they can no longer change.")
    else:
        return redirect("assessment:my_set", pk=assessment.pk)
    return _page(request, assessment, step, target, refusal)


def _page(request, assessment, step: str | None, target: Target, refusal: str | None = None):
    """A step of the questionnaire. A save that may no longer happen (the assessment was
    submitted meanwhile, in another tab) is refused with the reason, and the page comes
    back with what was typed, so nothing is lost."""
    dimensions = bank_spec(assessment.framework).dimensions
    index = (
        0 if step is None else next((i for i, d in enumerate(dimensions) if d.code == step), None)
    )
    if index is None:
        raise Http404
    dimension = dimensions[index]
    form, conflicts, status = None, {}, 200
    if request.method == "POST" and refusal:
        form, status = AnswersForm(dimension.questions, request.POST), 403
        messages.error(
            request, _("Not saved: %(reason)s What you typed is still below.") % {"reason": refusal}
        )
    elif request.method == "POST":
        form = AnswersForm(dimension.questions, request.POST)
        if not form.is_valid():
            status = 400
            messages.error(
                request, _("Nothing was saved: please correct the answers marked below.")
            )
        else:
            result = answers_save(
                assessment=assessment,
                user=request.user,
                changes=form.changes(),
                respondent=target.respondent,
            )
            if not result.conflicts:
                return _after_save(request, assessment, dimensions, index, target)
            conflicts, status = result.conflicts, 409
            messages.error(
                request,
                ngettext(
                    "One answer was changed by someone else meanwhile; see below. "
                    "Your other answers were saved.",
                    "%(n)d answers were changed by someone else meanwhile; see below. "
                    "Your other answers were saved.",
                    len(conflicts),
                )
                % {"n": len(conflicts)},
            )
    snapshot = assessment_snapshot(assessment, respondent=target.respondent)
    returned = (
        last_status_change(assessment, to=assessment.Status.RETURNED)
        if assessment.status == assessment.Status.RETURNED
        else None
    )
    return render(
        request,
        "assessment/questionnaire.html",
        {
            "assessment": assessment,
            "snapshot": snapshot,
            "target": target,
            "dimension": dimension,
            "steps": [(d, snapshot.progress.of(d.code)) for d in dimensions],
            "progress": snapshot.progress,
            "dimension_progress": snapshot.progress.of(dimension.code),
            "previous": dimensions[index - 1] if index > 0 else None,
            "next": dimensions[index + 1] if index + 1 < len(dimensions) else None,
            "items": question_items(
                dimension.questions, snapshot, form, conflicts, earlier_answers(assessment)
            ),
            "returned": returned,
            "newer_version": newer_published(assessment.framework).first(),
            "offer_independent": target.respondent is None
            and not snapshot.answers
            and can_manage_respondents(request.user, assessment),
        },
        status=status,
    )


def _after_save(request, assessment, dimensions, index, target: Target):
    action = request.POST.get("action", "save")
    if action == "next":
        if index + 1 < len(dimensions):
            return redirect(target.step, assessment.pk, dimensions[index + 1].code)
        return redirect(target.review, pk=assessment.pk)
    if action == "previous" and index > 0:
        return redirect(target.step, assessment.pk, dimensions[index - 1].code)
    messages.success(request, _("Answers saved."))
    return redirect(target.step, assessment.pk, dimensions[index].code)


@require_POST
@never_cache
def autosave(request, pk, question_id):
    """Save one question (htmx). Every outcome is a status fragment for that
    question only, so the form and what was typed stay on the page."""
    assessment = assessment_for(request.user, pk)
    return _autosave(request, assessment, question_id, _main())


@require_POST
@never_cache
def my_autosave(request, pk, question_id):
    assessment = assessment_for(request.user, pk)
    return _autosave(request, assessment, question_id, _own_set(request, assessment))


def _autosave(request, assessment, question_id: int, target: Target):
    question = bank_spec(assessment.framework).question_by_id.get(question_id)
    if question is None:
        raise Http404
    context = {"question": question, "assessment": assessment, "target": target}
    if target.respondent is None:
        refusal = edit_refusal(request.user, assessment)
    elif not can_answer_as(request.user, assessment, target.respondent):
        refusal = _("Your answers are submitted; they can no longer change.")
    else:
        refusal = None
    if refusal:
        return _refused(request, assessment, context, refusal)
    form = AnswersForm([question], request.POST)
    if not form.is_valid():
        errors = list(form.errors[question.id].values())
        return render(
            request, "assessment/_autosave_status.html", {**context, "errors": errors}, status=422
        )
    try:
        result = answers_save(
            assessment=assessment,
            user=request.user,
            changes=form.changes(),
            respondent=target.respondent,
        )
    except AssessmentLocked as exc:
        return _refused(request, assessment, context, str(exc))
    except ValidationError as exc:
        return render(
            request,
            "assessment/_autosave_status.html",
            {**context, "errors": exc.messages},
            status=422,
        )
    if question.id in result.conflicts:
        return render(
            request,
            "assessment/_autosave_status.html",
            {**context, "conflict": result.conflicts[question.id]},
            status=409,
        )
    snapshot = assessment_snapshot(assessment, respondent=target.respondent)
    return render(
        request,
        "assessment/_autosave_status.html",
        {
            **context,
            "record": result.records[question.id],
            "progress": snapshot.progress,
            "dimension_progress": snapshot.progress.of(question.dimension),
        },
    )


def _refused(request, assessment, context, reason: str):
    change = (
        None if assessment.is_editable else last_status_change(assessment, to=assessment.status)
    )
    return render(
        request,
        "assessment/_autosave_status.html",
        {**context, "refused": reason, "status_change": change},
        status=403,
    )
