from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..access import can_create_assessment, can_create_partnership
from ..forms import MARKING_SUGGESTIONS, AssessmentCreateForm
from ..models import Partnership
from ..reports.compare import MAX_COMPARED
from ..selectors import DashboardFilter, assessment_snapshots
from ..services import assessment_create

PAGE_SIZE = 25


def dashboard(request):
    filters = DashboardFilter(request.GET or None, user=request.user)
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    snapshots = assessment_snapshots(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "assessment/dashboard.html",
        {
            "page": page,
            "snapshots": [snapshots[a.pk] for a in page.object_list],
            "filters": filters,
            "query": query.urlencode(),
            "current_sort": request.GET.get("sort") or "-updated",
            "max_compared": MAX_COMPARED,
            "can_create": can_create_assessment(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def assessment_new(request):
    if not can_create_assessment(request.user):
        raise PermissionDenied(_("Only analysts start assessments."))
    partnerships = Partnership.objects.visible_to(request.user).order_by("name")
    initial = {}
    if request.GET.get("partnership", "").isdigit():
        initial["partnership"] = int(request.GET["partnership"])
    form = AssessmentCreateForm(request.POST or None, partnerships=partnerships, initial=initial)
    if request.method == "POST" and form.is_valid():
        assessment = assessment_create(user=request.user, **form.cleaned_data)
        messages.success(request, _("Assessment started. Answers are saved as you go."))
        return redirect("assessment:questionnaire", pk=assessment.pk)
    return render(
        request,
        "assessment/assessment_new.html",
        {
            "form": form,
            "markings": MARKING_SUGGESTIONS,
            "has_partnerships": partnerships.exists(),
            "can_create_partnership": can_create_partnership(request.user),
        },
        status=400 if form.is_bound else 200,
    )
