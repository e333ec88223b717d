"""The list of banks and the actions on a whole version: import, export, new draft
version, publish, retire, discard. Each action is one service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import services
from ..access import bank_for, check_bank_editor
from ..forms import ImportForm
from ..io import BankProblem, BankValidationError, dump_bank, framework_to_dict, parse_bank
from ..models import Framework, FrameworkLocked
from ..selectors import bank_versions
from .editor import render_bank_page

IMPORT_MAX_BYTES = 2 * 1024 * 1024


@never_cache
def bank_list(request):
    check_bank_editor(request.user)
    return _list_page(request, ImportForm())


def _list_page(request, form, *, problems=(), source="", status=200):
    banks: dict[str, list[Framework]] = {}
    for framework in bank_versions():
        banks.setdefault(framework.slug, []).append(framework)
    return render(
        request,
        "frameworks/bank_list.html",
        {"banks": banks, "form": form, "problems": problems, "source": source},
        status=status,
    )


@require_POST
def bank_import(request):
    """Upload a YAML bank: validated whole by the one validator; nothing is written
    unless every check passes."""
    check_bank_editor(request.user)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _list_page(request, form, status=400)
    upload = form.cleaned_data["file"]
    source = upload.name
    if upload.size > IMPORT_MAX_BYTES:
        form.add_error("file", _("The file is larger than 2 MB; a bank file is far smaller."))
        return _list_page(request, form, status=400)
    try:
        data = parse_bank(upload.read(), source=source)
        existing = Framework.objects.filter(slug=data["slug"], version=data["version"]).first()
        if existing is not None and existing.is_draft and not form.cleaned_data["replace_draft"]:
            raise BankValidationError(
                source,
                [
                    BankProblem(
                        "version",
                        _(
                            "%(slug)s version %(version)s is a draft already; tick "
                            "“Replace a draft” to overwrite it, or change the version."
                        )
                        % {"slug": data["slug"], "version": data["version"]},
                    )
                ],
            )
        framework = services.framework_import(data=data, source=source)
    except BankValidationError as exc:
        return _list_page(request, form, problems=exc.problems, source=source, status=400)
    messages.success(
        request,
        _("Imported %(slug)s version %(version)s as a draft.")
        % {"slug": framework.slug, "version": framework.version},
    )
    return redirect("banks:bank", framework.slug, framework.version)


def bank_export(request, slug, version):
    framework = bank_for(request.user, slug, version)
    response = HttpResponse(
        dump_bank(framework_to_dict(framework)), content_type="application/yaml; charset=utf-8"
    )
    filename = f"{framework.slug}-v{framework.version}.yaml"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
def bank_new_version(request, slug, version):
    framework = bank_for(request.user, slug, version)
    draft = services.framework_new_version(framework=framework)
    messages.success(
        request,
        _("Created draft version %(version)s from version %(from)s.")
        % {"version": draft.version, "from": framework.version},
    )
    return redirect("banks:bank", draft.slug, draft.version)


@require_POST
def bank_publish(request, slug, version):
    framework = bank_for(request.user, slug, version)
    try:
        services.framework_publish(framework=framework)
    except BankValidationError as exc:
        # The editor lists the same problems (one validator), each linked to its part.
        count = len(exc.problems)
        messages.error(
            request,
            ngettext(
                "Not published: %(n)d problem must be fixed first; it is listed under "
                "Problems, with a link to the part.",
                "Not published: %(n)d problems must be fixed first; they are listed under "
                "Problems, with a link to each part.",
                count,
            )
            % {"n": count},
        )
        return redirect(
            reverse("banks:bank", args=[framework.slug, framework.version]) + "#problems"
        )
    except FrameworkLocked as exc:
        messages.error(request, " ".join(exc.messages))
        return render_bank_page(request, framework, status=409)
    messages.success(
        request,
        _("Published %(slug)s version %(version)s. It can no longer be changed.")
        % {"slug": framework.slug, "version": framework.version},
    )
    return redirect("banks:bank", framework.slug, framework.version)


@require_POST
def bank_retire(request, slug, version):
    framework = bank_for(request.user, slug, version)
    try:
        services.framework_retire(framework=framework)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return render_bank_page(request, framework, status=409)
    messages.success(
        request,
        _("Retired version %(version)s: new assessments can no longer choose it.")
        % {"version": framework.version},
    )
    return redirect("banks:bank", framework.slug, framework.version)


@require_POST
def bank_discard(request, slug, version):
    framework = bank_for(request.user, slug, version)
    try:
        services.framework_discard(framework=framework)
    except FrameworkLocked as exc:
        messages.error(request, " ".join(exc.messages))
        return render_bank_page(request, framework, status=409)
    messages.success(
        request, _("Discarded draft version %(version)s.") % {"version": framework.version}
    )
    return redirect(reverse("banks:list"))
