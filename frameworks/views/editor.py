"""The bank editor: one page per version, every part edited in place with htmx.

Every edit is a form (fetched on demand into a slot under the part) posted to a
service. On success the editor region (`#editor`: problems, outline, red lines,
models, bands) is rendered again from one read of the bank, with the validator's
problems, so the page always shows what is stored. A form with errors comes back in
its slot (422); a refusal (a published bank, a question a red line rests on, the
first item moved up) comes back in the message line above the outline. Without
JavaScript the same URLs render whole pages and redirect after a change.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from .. import services
from ..access import bank_for, framework_of, part_for
from ..forms import (
    BandForm,
    BankForm,
    ChoiceForm,
    ConditionForm,
    CooperationModelForm,
    DimensionAddForm,
    DimensionForm,
    MoveForm,
    ProfileAddForm,
    ProfileForm,
    QuestionAddForm,
    QuestionForm,
    RecommendationForm,
    RedLineForm,
)
from ..models import Framework, FrameworkLocked
from ..selectors import bank_outline, part_anchor


@dataclass(frozen=True)
class PartEditor:
    """How the editor changes one kind of part: its form and its services."""

    form: type[forms.Form]
    update: Callable
    delete: Callable | None = None
    move: Callable | None = None
    label: str = ""


EDITORS = {
    "dimension": PartEditor(
        DimensionForm,
        services.dimension_update,
        services.dimension_delete,
        services.dimension_move,
        "dimension",
    ),
    "question": PartEditor(
        QuestionForm,
        services.question_update,
        services.question_delete,
        services.question_move,
        "question",
    ),
    "choice": PartEditor(
        ChoiceForm,
        services.choice_update,
        services.choice_delete,
        services.choice_move,
        "choice",
    ),
    "recommendation": PartEditor(
        RecommendationForm,
        services.recommendation_update,
        services.recommendation_delete,
        label="recommendation",
    ),
    "red-line": PartEditor(
        RedLineForm, services.red_line_update, services.red_line_delete, label="red line"
    ),
    "model": PartEditor(CooperationModelForm, services.model_update, label="model"),
    "profile": PartEditor(ProfileForm, services.profile_update, label="target"),
    "condition": PartEditor(
        ConditionForm, services.condition_update, services.condition_delete, label="condition"
    ),
    "band": PartEditor(BandForm, services.band_update, services.band_delete, label="band"),
}


@dataclass(frozen=True)
class PartAdder:
    """How the editor adds one kind of part, under its parent (None: the bank)."""

    parent: str | None
    form: type[forms.Form]
    service: Callable
    label: str


ADDERS = {
    "dimension": PartAdder(None, DimensionAddForm, services.dimension_add, "dimension"),
    "question": PartAdder("dimension", QuestionAddForm, services.question_add, "question"),
    "choice": PartAdder("question", ChoiceForm, services.choice_add, "choice"),
    "recommendation": PartAdder(
        "dimension", RecommendationForm, services.recommendation_add, "recommendation"
    ),
    "red-line": PartAdder(None, RedLineForm, services.red_line_add, "red line"),
    "condition": PartAdder("model", ConditionForm, services.condition_add, "condition"),
    "profile": PartAdder("model", ProfileAddForm, services.profile_add, "target"),
    "band": PartAdder(None, BandForm, services.band_add, "maturity band"),
}
FORMS_WITH_FRAMEWORK = (QuestionForm, RedLineForm, ConditionForm, ProfileAddForm)


def _form(form_class, framework: Framework, *args, **kwargs) -> forms.Form:
    if issubclass(form_class, FORMS_WITH_FRAMEWORK):
        kwargs["framework"] = framework
    return form_class(*args, **kwargs)


def _initial(form_class, part) -> dict:
    initial = {name: getattr(part, name) for name in form_class.base_fields if hasattr(part, name)}
    if "references" in initial:
        initial["references"] = "\n".join(part.references)
    return initial


def _kwarg(part: str) -> str:
    return part.replace("-", "_")


# Pages and the editor region --------------------------------------------------------


def _bank_url(framework: Framework, anchor: str = "") -> str:
    url = reverse("banks:bank", args=[framework.slug, framework.version])
    return f"{url}#{anchor}" if anchor else url


@never_cache
def bank_page(request, slug, version):
    framework = bank_for(request.user, slug, version)
    return render_bank_page(request, framework)


def render_bank_page(request, framework: Framework, *, status: int = 200):
    versions = list(Framework.objects.filter(slug=framework.slug).values_list("version", "status"))
    earlier = [v for v, _s in versions if v < framework.version]
    return render(
        request,
        "frameworks/bank.html",
        {
            "framework": framework,
            "outline": bank_outline(framework),
            "editable": framework.is_draft,
            "previous_version": max(earlier) if earlier else None,
        },
        status=status,
    )


@never_cache
def editor_region(request, slug, version):
    """The editor region alone (htmx), as after a change."""
    return _editor(request, bank_for(request.user, slug, version))


def _editor(request, framework: Framework, *, focus: str = ""):
    response = render(
        request,
        "frameworks/_editor.html",
        {
            "framework": framework,
            "outline": bank_outline(framework),
            "editable": framework.is_draft,
        },
    )
    if focus:
        trigger_client_event(response, "bank-focus", {"id": focus}, after="settle")
    return response


def _changed(request, framework: Framework, *, focus: str, message: str):
    """After a successful change: the new editor region, or a redirect without htmx."""
    if request.htmx:
        return retarget(reswap(_editor(request, framework, focus=focus), "outerHTML"), "#editor")
    messages.success(request, message)
    return redirect(_bank_url(framework, focus))


def _refused(request, framework: Framework, reason: str, *, status: int, focus: str = ""):
    """A change that was not made: the reason in the message line (htmx) or the page."""
    if request.htmx:
        response = render(request, "frameworks/_refusal.html", {"reason": reason}, status=status)
        return retarget(reswap(response, "innerHTML"), "#editor-messages")
    messages.error(request, reason)
    response = redirect(_bank_url(framework, focus))
    return response


def _locked_reason(framework: Framework) -> str:
    return _(
        "%(slug)s version %(version)s is %(status)s and cannot be changed; "
        "create a new draft version to edit it."
    ) % {"slug": framework.slug, "version": framework.version, "status": framework.status}


def _form_response(request, form, *, framework, action: str, slot: str, title: str, status=200):
    context = {
        "form": form,
        "action": action,
        "slot": slot,
        "title": title,
        "framework": framework,
    }
    template = "frameworks/_form.html" if request.htmx else "frameworks/form_page.html"
    return render(request, template, context, status=status)


def _apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Model validation errors onto the form: by field where the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# Bank settings -------------------------------------------------------------------------


@never_cache
def bank_settings(request, slug, version):
    framework = bank_for(request.user, slug, version)
    if not framework.is_draft:
        return _refused(request, framework, _locked_reason(framework), status=409)
    action = reverse("banks:settings", args=[slug, framework.version])
    title = _("Bank settings")
    if request.method != "POST":
        form = BankForm(initial=_initial(BankForm, framework))
        return _form_response(
            request, form, framework=framework, action=action, slot="bank-settings", title=title
        )
    form = BankForm(request.POST)
    if form.is_valid():
        try:
            services.framework_update(framework=framework, **form.cleaned_data)
        except FrameworkLocked:
            return _refused(request, framework, _locked_reason(framework), status=409)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return _changed(
                request, framework, focus="bank-settings", message=_("Bank settings saved.")
            )
    return _form_response(
        request,
        form,
        framework=framework,
        action=action,
        slot="bank-settings",
        title=title,
        status=422,
    )


# Parts: edit, delete, move ---------------------------------------------------------------


@never_cache
def part_edit(request, slug, version, part, pk):
    editor = EDITORS.get(part)
    if editor is None:
        raise Http404
    obj = part_for(request.user, slug, version, part, pk)
    framework = framework_of(obj)
    anchor = part_anchor(part, obj.pk)
    if not framework.is_draft:
        return _refused(request, framework, _locked_reason(framework), status=409, focus=anchor)
    action = reverse("banks:part_edit", args=[slug, framework.version, part, obj.pk])
    title = _("Edit %(part)s") % {"part": editor.label}
    if request.method != "POST":
        form = _form(editor.form, framework, initial=_initial(editor.form, obj))
        return _form_response(
            request, form, framework=framework, action=action, slot=anchor, title=title
        )
    form = _form(editor.form, framework, request.POST)
    if form.is_valid():
        try:
            editor.update(**{_kwarg(part): obj}, **form.cleaned_data)
        except FrameworkLocked:
            return _refused(request, framework, _locked_reason(framework), status=409)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return _changed(request, framework, focus=anchor, message=_("Saved."))
    return _form_response(
        request, form, framework=framework, action=action, slot=anchor, title=title, status=422
    )


@require_POST
def part_delete(request, slug, version, part, pk):
    editor = EDITORS.get(part)
    if editor is None or editor.delete is None:
        raise Http404
    obj = part_for(request.user, slug, version, part, pk)
    framework = framework_of(obj)
    if not framework.is_draft:
        return _refused(request, framework, _locked_reason(framework), status=409)
    try:
        editor.delete(**{_kwarg(part): obj})
    except FrameworkLocked:
        return _refused(request, framework, _locked_reason(framework), status=409)
    except ValidationError as exc:
        return _refused(
            request, framework, " ".join(exc.messages), status=422, focus=part_anchor(part, pk)
        )
    return _changed(
        request,
        framework,
        focus="outline",
        message=_("Deleted the %(part)s.") % {"part": editor.label},
    )


@require_POST
def part_move(request, slug, version, part, pk):
    editor = EDITORS.get(part)
    if editor is None or editor.move is None:
        raise Http404
    obj = part_for(request.user, slug, version, part, pk)
    framework = framework_of(obj)
    anchor = part_anchor(part, obj.pk)
    if not framework.is_draft:
        return _refused(request, framework, _locked_reason(framework), status=409)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _refused(request, framework, _("Move up or down."), status=422, focus=anchor)
    try:
        editor.move(**{_kwarg(part): obj}, direction=form.cleaned_data["direction"])
    except FrameworkLocked:
        return _refused(request, framework, _locked_reason(framework), status=409)
    except ValidationError as exc:
        return _refused(request, framework, " ".join(exc.messages), status=422, focus=anchor)
    return _changed(request, framework, focus=anchor, message=_("Moved."))


# Parts: add ---------------------------------------------------------------------------


@never_cache
def part_add(request, slug, version, part, parent=None, parent_pk=None):
    adder = ADDERS.get(part)
    if adder is None or adder.parent != parent:
        raise Http404
    if parent is None:
        owner = framework = bank_for(request.user, slug, version)
        action = reverse("banks:add", args=[slug, framework.version, part])
        slot = f"add-{part}"
    else:
        owner = part_for(request.user, slug, version, parent, parent_pk)
        framework = framework_of(owner)
        action = reverse("banks:add_to", args=[slug, framework.version, parent, owner.pk, part])
        slot = f"add-{part}-{parent}-{owner.pk}"
    if not framework.is_draft:
        return _refused(request, framework, _locked_reason(framework), status=409)
    title = _("Add a %(part)s") % {"part": adder.label}
    if request.method != "POST":
        initial = {"dimension": request.GET.get("dimension")} if part == "profile" else {}
        form = _form(adder.form, framework, initial=initial)
        return _form_response(
            request, form, framework=framework, action=action, slot=slot, title=title
        )
    form = _form(adder.form, framework, request.POST)
    if form.is_valid():
        try:
            added = adder.service(**{_kwarg(parent or "framework"): owner}, **form.cleaned_data)
        except FrameworkLocked:
            return _refused(request, framework, _locked_reason(framework), status=409)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return _changed(
                request,
                framework,
                focus=part_anchor(part, added.pk),
                message=_("Added the %(part)s.") % {"part": adder.label},
            )
    return _form_response(
        request, form, framework=framework, action=action, slot=slot, title=title, status=422
    )
