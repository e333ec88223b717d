"""Several analysts, one judgement: independent answer sets, agreement, reconciliation.

Blind rounds: before every respondent has submitted, a set is seen by its
respondent only; the owner sees who has submitted. Rules live in `access.py`.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .. import consensus
from ..access import (
    assessment_for,
    can_answer_as,
    can_manage_respondents,
    can_reconcile,
    can_see_sets,
    check_answer_as,
    reconcile_refusal,
)
from ..answers import display as answer_display
from ..forms import IndependentForm, read_reconciliation
from ..models import Respondent
from ..reports.context import answer_sections, changed_after_reconciliation
from ..selectors import AssessmentSnapshot, assessment_snapshot
from ..services import (
    IncompleteAssessment,
    answer_set_submit,
    assessment_go_independent,
    assessment_reconcile,
    eligible_respondents,
    respondent_remove,
)


def _own(snapshot: AssessmentSnapshot, user) -> Respondent | None:
    if snapshot.sets is None:
        return None
    return next((r for r in snapshot.sets.respondents if r.user_id == user.pk), None)


def independent(request, pk):
    """The overview: choose respondents, who has submitted, links to one's own set,
    the agreement and the reconciliation."""
    assessment = assessment_for(request.user, pk)
    snapshot = assessment_snapshot(assessment)
    manage = can_manage_respondents(request.user, assessment)
    form, status = None, 200
    can_start = manage and not assessment.is_independent and not snapshot.answers
    if can_start:
        form = IndependentForm(
            request.POST or None, users=eligible_respondents(assessment), owner=request.user
        )
        if request.method == "POST":
            if form.is_valid():
                try:
                    assessment_go_independent(
                        assessment=assessment,
                        user=request.user,
                        respondents=form.cleaned_data["respondents"],
                    )
                except ValidationError as exc:
                    for message in exc.message_dict.get("respondents", exc.messages):
                        form.add_error("respondents", message)
                else:
                    messages.success(
                        request, _("Each respondent now answers the questionnaire on their own.")
                    )
                    return redirect("assessment:independent", pk=assessment.pk)
            status = 400
    elif request.method == "POST":
        raise PermissionDenied(_("The respondents are chosen once, before anyone answers."))
    sets = snapshot.sets
    own = _own(snapshot, request.user)
    return render(
        request,
        "assessment/independent.html",
        {
            "assessment": assessment,
            "snapshot": snapshot,
            "form": form,
            "can_manage": manage,
            "own": own,
            "can_answer": can_answer_as(request.user, assessment, own),
            # Before reveal only the owner and admins see who has submitted.
            "show_status": manage or (sets is not None and sets.revealed),
            "can_see_sets": can_see_sets(request.user, assessment, sets),
            "can_reconcile": can_reconcile(request.user, assessment, sets),
        },
        status=status,
    )


@require_POST
def remove_respondent(request, pk, respondent_pk):
    assessment = assessment_for(request.user, pk)
    respondent = get_object_or_404(Respondent, pk=respondent_pk, assessment=assessment)
    try:
        respondent_remove(assessment=assessment, respondent=respondent, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(name)s removed; their answers are kept but left out.")
            % {"name": respondent.user.get_username()},
        )
    return redirect("assessment:independent", pk=assessment.pk)


def my_set(request, pk):
    """A respondent's own set: review, and hand it in."""
    assessment = assessment_for(request.user, pk)
    respondent = Respondent.objects.filter(assessment=assessment, user=request.user).first()
    if respondent is None:
        raise Http404
    return _set_page(request, assessment, respondent)


def answer_set(request, pk, respondent_pk):
    """Any respondent's set: their own always, others' once every set is in."""
    assessment = assessment_for(request.user, pk)
    respondent = get_object_or_404(
        Respondent.objects.select_related("user"), pk=respondent_pk, assessment=assessment
    )
    if respondent.user_id == request.user.pk:
        return redirect("assessment:my_set", pk=assessment.pk)
    snapshot = assessment_snapshot(assessment)
    if not can_see_sets(request.user, assessment, snapshot.sets):
        raise PermissionDenied(_sets_hidden_reason(snapshot))
    return _set_page(request, assessment, respondent)


def _set_page(request, assessment, respondent, *, status=200):
    snapshot = assessment_snapshot(assessment, respondent=respondent)
    return render(
        request,
        "assessment/answer_set.html",
        {
            "assessment": assessment,
            "snapshot": snapshot,
            "respondent": respondent,
            "own": respondent.user_id == request.user.pk,
            "can_answer": can_answer_as(request.user, assessment, respondent),
            "sections": answer_sections(snapshot),
        },
        status=status,
    )


@require_POST
def submit_set(request, pk):
    assessment = assessment_for(request.user, pk)
    respondent = Respondent.objects.filter(assessment=assessment, user=request.user).first()
    if respondent is None:
        raise Http404
    if respondent.status == Respondent.Status.SUBMITTED:
        messages.info(request, _("Your answers are already submitted."))
        return redirect("assessment:my_set", pk=assessment.pk)
    check_answer_as(request.user, assessment, respondent)
    try:
        answer_set_submit(assessment=assessment, respondent=respondent, user=request.user)
    except IncompleteAssessment as exc:
        messages.error(
            request,
            ngettext(
                "Not submitted: %(count)d required question is unanswered.",
                "Not submitted: %(count)d required questions are unanswered.",
                len(exc.missing),
            )
            % {"count": len(exc.missing)},
        )
        return _set_page(request, assessment, respondent, status=400)
    messages.success(request, _("Your answers are submitted."))
    return redirect("assessment:independent", pk=assessment.pk)


def _sets_hidden_reason(snapshot: AssessmentSnapshot) -> str:
    if snapshot.sets is not None and snapshot.sets.revealed:
        return _("Reviewers see the independent answers once the assessment is submitted.")
    return _("The independent answers are shown once every respondent has submitted theirs.")


def agreement(request, pk):
    assessment = assessment_for(request.user, pk)
    snapshot = assessment_snapshot(assessment)
    if not can_see_sets(request.user, assessment, snapshot.sets):
        raise PermissionDenied(_sets_hidden_reason(snapshot))
    return render(
        request,
        "assessment/agreement.html",
        {
            "assessment": assessment,
            "snapshot": snapshot,
            "respondents": snapshot.sets.active,
            "rows": agreement_rows(snapshot),
            "reading": consensus.alpha_reading(snapshot.agreement.alpha),
            "can_reconcile": can_reconcile(request.user, assessment, snapshot.sets),
        },
    )


def agreement_rows(snapshot: AssessmentSnapshot) -> list[dict]:
    """Per question: each respondent's answer and comment, spread, modal answer, and the
    reconciled answer with its rationale once there is one."""
    rows = []
    for row in snapshot.agreement.questions:
        q = row.question
        rows.append(
            {
                "agreement": row,
                "cells": [{"display": consensus_display(q, v), "value": v} for v in row.values],
                "modal": [consensus_display(q, v) for v in row.modal],
                "reconciled": snapshot.display(q) if q.id in snapshot.answers else None,
                "record": snapshot.records.get(q.id),
                "changed_by": changed_after_reconciliation(snapshot.records.get(q.id)),
            }
        )
    return rows


def reconcile_rows(snapshot: AssessmentSnapshot, posted) -> list[dict]:
    """The reconciliation form: one option per respondent's answer, pre-chosen where
    everyone agreed, or as posted when the form comes back with problems."""
    rows = []
    for row in agreement_rows(snapshot):
        q = row["agreement"].question
        pick = posted.get(f"r{q.id}_pick", "") if posted is not None else ""
        if posted is None and row["agreement"].agreed is not None:
            pick = f"s{snapshot.sets.active[0].pk}"
        row["pick"] = pick
        row["rationale"] = posted.get(f"r{q.id}_rationale", "") if posted is not None else ""
        # What was typed as "another answer" comes back with the form.
        row["other_values"] = posted.getlist(f"r{q.id}_value") if posted is not None else []
        row["other_na"] = posted is not None and posted.get(f"r{q.id}_na") == "on"
        row["options"] = [
            {
                "value": f"s{r.pk}",
                "label": r.user.get_username(),
                "display": cell["display"],
                "comment": cell["value"].comment if cell["value"] is not None else "",
                "checked": pick == f"s{r.pk}",
                "disabled": cell["value"] is None,
            }
            for r, cell in zip(snapshot.sets.active, row["cells"], strict=True)
        ]
        rows.append(row)
    return rows


def consensus_display(question, value) -> str:
    return answer_display(question, value) if value is not None else "—"


def reconcile(request, pk):
    assessment = assessment_for(request.user, pk)
    snapshot = assessment_snapshot(assessment)
    refusal = reconcile_refusal(request.user, assessment, snapshot.sets)
    if refusal:
        raise PermissionDenied(refusal)
    decisions, errors, status = None, {}, 200
    if request.method == "POST":
        decisions, errors = read_reconciliation(snapshot, request.POST)
        if not errors:
            try:
                count = assessment_reconcile(
                    assessment=assessment, user=request.user, decisions=decisions
                )
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(n)d reconciled answer is now the assessment's own. Review and "
                        "submit it as usual.",
                        "%(n)d reconciled answers are now the assessment's own. Review and "
                        "submit them as usual.",
                        count,
                    )
                    % {"n": count},
                )
                return redirect("assessment:review", pk=assessment.pk)
        status = 400
        messages.error(request, _("Nothing was reconciled: see the questions marked below."))
    return render(
        request,
        "assessment/reconcile.html",
        {
            "assessment": assessment,
            "snapshot": snapshot,
            "respondents": snapshot.sets.active,
            "rows": reconcile_rows(snapshot, request.POST if request.method == "POST" else None),
            "reading": consensus.alpha_reading(snapshot.agreement.alpha),
            "errors": errors,
        },
        status=status,
    )
