from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..access import (
    can_create_assessment,
    can_create_partnership,
    can_edit_partnership,
    partnership_for,
    teams_for,
)
from ..forms import PartnershipForm
from ..models import Partnership
from ..roles import is_analyst
from ..services import partnership_create, partnership_update


def partnership_list(request):
    partnerships = (
        Partnership.objects.visible_to(request.user)
        .select_related("team")
        .annotate(assessment_count=Count("assessments"))
        .order_by("name")
    )
    return render(
        request,
        "assessment/partnership_list.html",
        {
            "partnerships": [(p, can_edit_partnership(request.user, p)) for p in partnerships],
            "can_create": can_create_partnership(request.user),
            "can_assess": can_create_assessment(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def partnership_create_view(request):
    if not can_create_partnership(request.user):
        if is_analyst(request.user):
            messages.error(request, _("You are not in a team yet; ask an admin to add you to one."))
            return redirect("assessment:partnerships")
        raise PermissionDenied(_("Only analysts and admins can create partnerships."))
    teams = teams_for(request.user)
    form = PartnershipForm(request.POST or None, teams=teams, initial={"team": teams.first()})
    if request.method == "POST" and form.is_valid():
        partnership = partnership_create(user=request.user, **form.cleaned_data)
        messages.success(request, _("Partnership “%(name)s” created.") % {"name": partnership})
        return redirect("assessment:partnerships")
    status = 400 if form.is_bound else 200
    return render(
        request, "assessment/partnership_form.html", {"form": form, "creating": True}, status=status
    )


@require_http_methods(["GET", "POST"])
def partnership_edit(request, pk):
    partnership = partnership_for(request.user, pk, to_edit=True)
    form = PartnershipForm(
        request.POST or None, instance=partnership, teams=teams_for(request.user)
    )
    if request.method == "POST" and form.is_valid():
        partnership_update(partnership=partnership, **form.cleaned_data)
        messages.success(request, _("Partnership “%(name)s” saved.") % {"name": partnership})
        return redirect("assessment:partnerships")
    status = 400 if form.is_bound else 200
    return render(
        request,
        "assessment/partnership_form.html",
        {"form": form, "partnership": partnership},
        status=status,
    )
