"""Review page, submit, and the reviewer's approve / return decision."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from frameworks.selectors import newer_published

from ..access import (
    assessment_for,
    can_edit,
    can_review,
    check_edit,
    check_review,
    is_reviewer_of,
)
from ..forms import ReviewDecisionForm
from ..models import Assessment
from ..reports.context import answer_sections
from ..selectors import assessment_snapshot, last_status_change, status_history
from ..services import (
    IncompleteAssessment,
    ReportNotFrozen,
    assessment_approve,
    assessment_return,
    assessment_submit,
)


def _review_context(request, assessment, **extra) -> dict:
    snapshot = assessment_snapshot(assessment)
    return {
        "assessment": assessment,
        "snapshot": snapshot,
        "sections": answer_sections(snapshot),
        "history": status_history(assessment),
        "can_edit": can_edit(request.user, assessment),
        "newer_version": (
            newer_published(assessment.framework).first()
            if can_edit(request.user, assessment)
            else None
        ),
        "can_review": can_review(request.user, assessment),
        "decision_form": extra.pop("decision_form", None) or ReviewDecisionForm(),
        **extra,
    }


def review(request, pk):
    assessment = assessment_for(request.user, pk)
    return render(request, "assessment/review.html", _review_context(request, assessment))


@require_POST
def submit(request, pk):
    assessment = assessment_for(request.user, pk)
    if _just_submitted_by(request.user, assessment):
        # A second click, or a resent form: the first one did it.
        messages.info(request, _("Already submitted for review. The assessment is read-only."))
        return redirect("assessment:review", pk=assessment.pk)
    check_edit(request.user, assessment)
    try:
        assessment_submit(assessment=assessment, user=request.user)
    except IncompleteAssessment as exc:
        count = len(exc.missing)
        messages.error(
            request,
            ngettext(
                "Not submitted: %(count)d required question is unanswered.",
                "Not submitted: %(count)d required questions are unanswered.",
                count,
            )
            % {"count": count},
        )
        return render(
            request, "assessment/review.html", _review_context(request, assessment), status=400
        )
    messages.success(request, _("Submitted for review. The assessment is now read-only."))
    return redirect("assessment:review", pk=assessment.pk)


def _just_submitted_by(user, assessment: Assessment) -> bool:
    if assessment.status != Assessment.Status.SUBMITTED:
        return False
    change = last_status_change(assessment, to=Assessment.Status.SUBMITTED)
    return change is not None and change.by_id == user.pk


def _decided_already(assessment: Assessment) -> str | None:
    """A second click, a resent form or a second tab: the decision was made; say
    which, by whom and when, instead of refusing it as an error."""
    texts = {
        Assessment.Status.APPROVED: _("Already approved by %(who)s on %(when)s."),
        Assessment.Status.RETURNED: _("Already returned to the analyst by %(who)s on %(when)s."),
    }
    if assessment.status not in texts:
        return None
    change = last_status_change(assessment, to=assessment.status)
    if change is None:
        return None
    when = date_format(localtime(change.at), "DATETIME_FORMAT")
    return texts[assessment.status] % {"who": change.by, "when": when}


@require_POST
def decide(request, pk):
    assessment = assessment_for(request.user, pk)
    already = _decided_already(assessment) if is_reviewer_of(request.user, assessment) else None
    if already:
        messages.info(request, already)
        return redirect("assessment:review", pk=assessment.pk)
    check_review(request.user, assessment)
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
        except ReportNotFrozen as exc:
            form.add_error(
                None,
                _("Not approved: the report could not be frozen, so nothing was changed. %(why)s")
                % {"why": exc},
            )
    elif decision not in ("approve", "return"):
        form.add_error(None, _("Choose approve or return."))
    return render(
        request,
        "assessment/review.html",
        _review_context(request, assessment, decision_form=form),
        status=400,
    )
