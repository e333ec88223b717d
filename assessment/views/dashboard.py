from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from ..access import teams_for
from ..forms import MARKING_SUGGESTIONS, AssessmentCreateForm
from ..models import Assessment, Partnership
from ..selectors import dashboard_assessments, scores_for
from ..services import assessment_create

PAGE_SIZE = 25
SORT_OPTIONS = [
    ("updated", _("Recently updated")),
    ("-updated", _("Least recently updated")),
    ("partnership", _("Partnership A-Z")),
    ("-partnership", _("Partnership Z-A")),
    ("status", _("Status")),
    ("created", _("Recently created")),
]


def dashboard_filters(request) -> dict:
    return {
        "status": request.GET.get("status", ""),
        "partnership": request.GET.get("partnership", ""),
        "search": request.GET.get("q", "").strip()[:100],
        "sort": request.GET.get("sort", ""),
    }


def dashboard(request):
    filters = dashboard_filters(request)
    page = Paginator(dashboard_assessments(request.user, **filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    scores = scores_for(rows)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "assessment/dashboard.html",
        {
            "page": page,
            "rows": [(a, *scores[a.pk]) for a in rows],
            "filters": filters,
            "statuses": Assessment.Status.choices,
            "partnerships": Partnership.objects.visible_to(request.user)
            .order_by("name")
            .values_list("pk", "name"),
            "query": query.urlencode(),
            "sort_options": SORT_OPTIONS,
        },
    )


@require_http_methods(["GET", "POST"])
def assessment_new(request):
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
            "can_create_partnership": teams_for(request.user).exists(),
        },
        status=400 if form.is_bound else 200,
    )
