"""Moving a draft assessment to a newer published version of its bank: a preview of
what carries over, then one confirmed, atomic move (`services.assessment_move_to_version`)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from frameworks.selectors import newer_published

from ..access import assessment_for
from ..selectors import assessment_snapshot, bank_spec
from ..services import assessment_move_to_version
from ..versions import plan_move


def move_to_version(request, pk):
    assessment = assessment_for(request.user, pk, to_edit=True)
    versions = list(newer_published(assessment.framework))
    context = {"assessment": assessment, "versions": versions}
    if not versions:
        messages.info(request, _("There is no newer published version of this question bank."))
        return render(request, "assessment/move.html", context, status=404)
    chosen = request.POST.get("version") or request.GET.get("version")
    target = next((f for f in versions if str(f.version) == chosen), versions[0])
    if chosen and str(target.version) != chosen:
        messages.error(request, _("Choose one of the newer published versions listed."))
        return render(request, "assessment/move.html", {**context, "target": target}, status=400)
    if request.method == "POST":
        try:
            move = assessment_move_to_version(
                assessment=assessment, framework=target, user=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return render(
                request, "assessment/move.html", {**context, "target": target}, status=400
            )
        messages.success(
            request,
            ngettext(
                "Moved to version %(version)s: %(carried)d answer carried over, "
                "%(dropped)d to answer again.",
                "Moved to version %(version)s: %(carried)d answers carried over, "
                "%(dropped)d to answer again.",
                len(move.carried),
            )
            % {
                "version": target.version,
                "carried": len(move.carried),
                "dropped": len(move.dropped),
            },
        )
        return redirect("assessment:questionnaire", pk=assessment.pk)
    snapshot = assessment_snapshot(assessment)
    new_bank = bank_spec(target)
    plan = plan_move(snapshot.bank, new_bank, snapshot.answers)
    answered_codes = {c.new.code for c in plan.carried}
    return render(
        request,
        "assessment/move.html",
        {
            **context,
            "target": target,
            "plan": plan,
            "carried": [(c.new, snapshot.display(c.old)) for c in plan.carried],
            "dropped": [(d.old, snapshot.display(d.old), d.reason) for d in plan.dropped],
            "unanswered": [q for q in new_bank.questions if q.code not in answered_codes],
        },
    )
