"""The step-by-step questionnaire: one page per dimension, autosave per question.

How saving and conflicts work is explained once, in `services.py`.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from frameworks.selectors import newer_published

from ..access import AssessmentLocked, assessment_for, can_edit, edit_refusal
from ..forms import AnswersForm, question_items
from ..selectors import assessment_snapshot, bank_spec, earlier_answers, last_status_change
from ..services import answers_save


@never_cache
def questionnaire(request, pk, step: str | None = None):
    editing = request.method == "POST"
    assessment = assessment_for(request.user, pk, to_edit=editing)
    if not editing and not can_edit(request.user, assessment):
        return redirect("assessment:review", pk=assessment.pk)
    dimensions = bank_spec(assessment.framework).dimensions
    index = (
        0 if step is None else next((i for i, d in enumerate(dimensions) if d.code == step), None)
    )
    if index is None:
        raise Http404
    dimension = dimensions[index]
    form, conflicts, status = None, {}, 200
    if editing:
        form = AnswersForm(dimension.questions, request.POST)
        if not form.is_valid():
            status = 400
            messages.error(
                request, _("Nothing was saved: please correct the answers marked below.")
            )
        else:
            result = answers_save(assessment=assessment, user=request.user, changes=form.changes())
            if not result.conflicts:
                return _after_save(request, assessment, dimensions, index)
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
    snapshot = assessment_snapshot(assessment)
    returned = (
        last_status_change(assessment) if assessment.status == assessment.Status.RETURNED else None
    )
    return render(
        request,
        "assessment/questionnaire.html",
        {
            "assessment": assessment,
            "snapshot": snapshot,
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
        },
        status=status,
    )


def _after_save(request, assessment, dimensions, index):
    action = request.POST.get("action", "save")
    if action == "next":
        if index + 1 < len(dimensions):
            return redirect(
                "assessment:questionnaire_step", assessment.pk, dimensions[index + 1].code
            )
        return redirect("assessment:review", pk=assessment.pk)
    if action == "previous" and index > 0:
        return redirect("assessment:questionnaire_step", assessment.pk, dimensions[index - 1].code)
    messages.success(request, _("Answers saved."))
    return redirect("assessment:questionnaire_step", assessment.pk, dimensions[index].code)


@require_POST
@never_cache
def autosave(request, pk, question_id):
    """Save one question (htmx). Every outcome is a status fragment for that
    question only, so the form and what was typed stay on the page."""
    assessment = assessment_for(request.user, pk)
    question = bank_spec(assessment.framework).question_by_id.get(question_id)
    if question is None:
        raise Http404
    context = {"question": question, "assessment": assessment}
    refusal = edit_refusal(request.user, assessment)
    if refusal:
        return _refused(request, assessment, context, refusal)
    form = AnswersForm([question], request.POST)
    if not form.is_valid():
        errors = list(form.errors[question.id].values())
        return render(
            request, "assessment/_autosave_status.html", {**context, "errors": errors}, status=422
        )
    try:
        result = answers_save(assessment=assessment, user=request.user, changes=form.changes())
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
    snapshot = assessment_snapshot(assessment)
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
    change = last_status_change(assessment) if not assessment.is_editable else None
    if change is not None and change.to_status != assessment.status:
        change = None
    return render(
        request,
        "assessment/_autosave_status.html",
        {**context, "refused": reason, "status_change": change},
        status=403,
    )
