"""Review page, submit, and the reviewer's approve / return decision."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..access import assessment_for, can_edit, can_review
from ..forms import ReviewDecisionForm
from ..selectors import (
    QUESTIONS_WITH_CHOICES,
    answer_value,
    answers_by_question,
    bank_spec,
    progress,
)
from ..services import (
    IncompleteAssessment,
    assessment_approve,
    assessment_return,
    assessment_submit,
)


def _review_context(request, assessment, **extra) -> dict:
    answers = answers_by_question(assessment)
    bank = bank_spec(assessment.framework)
    prog = progress(bank, {qid: answer_value(a) for qid, a in answers.items()})
    dimensions = list(assessment.framework.dimensions.prefetch_related(QUESTIONS_WITH_CHOICES))
    sections = []
    missing = []
    for dim in dimensions:
        rows = []
        for q in dim.questions.all():
            answer = answers.get(q.pk)
            rows.append({"question": q, "answer": answer})
            if q.code in prog[dim.code]["missing_required"]:
                missing.append((dim, q))
        sections.append({"dimension": dim, "rows": rows, "progress": prog[dim.code]})
    return {
        "assessment": assessment,
        "sections": sections,
        "missing": missing,
        "progress": prog,
        "history": assessment.status_changes.select_related("by"),
        "can_edit": can_edit(request.user, assessment),
        "can_review": can_review(request.user, assessment),
        "decision_form": extra.pop("decision_form", ReviewDecisionForm()),
        **extra,
    }


def review(request, pk):
    assessment = assessment_for(request.user, pk)
    return render(request, "assessment/review.html", _review_context(request, assessment))


@require_POST
def submit(request, pk):
    assessment = assessment_for(request.user, pk, to_edit=True)
    try:
        assessment_submit(assessment=assessment, user=request.user)
    except IncompleteAssessment as exc:
        messages.error(
            request,
            _("Not submitted: %(count)d required questions are unanswered.")
            % {"count": len(exc.missing)},
        )
        return render(
            request, "assessment/review.html", _review_context(request, assessment), status=400
        )
    messages.success(request, _("Submitted for review. The assessment is now read-only."))
    return redirect("assessment:review", pk=assessment.pk)


@require_POST
def decide(request, pk):
    assessment = assessment_for(request.user, pk, to_review=True)
    form = ReviewDecisionForm(request.POST)
    decision = request.POST.get("decision")
    if form.is_valid() and decision in ("approve", "return"):
        comment = form.cleaned_data["comment"]
        try:
            if decision == "approve":
                assessment_approve(assessment=assessment, user=request.user, comment=comment)
                messages.success(request, _("Assessment approved."))
            else:
                assessment_return(assessment=assessment, user=request.user, comment=comment)
                messages.success(request, _("Assessment returned to the analyst."))
            return redirect("assessment:review", pk=assessment.pk)
        except ValidationError as exc:
            for message in exc.message_dict.get("comment", exc.messages):
                form.add_error("comment", message)
    elif decision not in ("approve", "return"):
        form.add_error(None, _("Choose approve or return."))
    return render(
        request,
        "assessment/review.html",
        _review_context(request, assessment, decision_form=form),
        status=400,
    )
