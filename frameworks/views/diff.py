"""The differences between two versions of a bank, side by side."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from ..access import check_bank_editor
from ..diff import diff_banks
from ..io import framework_to_dict
from ..models import Framework


@never_cache
def bank_diff(request, slug):
    check_bank_editor(request.user)
    versions = {f.version: f for f in Framework.objects.filter(slug=slug).order_by("version")}
    context = {"slug": slug, "versions": list(versions.values())}
    if not versions:
        message = _("There is no question bank %(slug)s.") % {"slug": slug}
        return _error(request, context, message, 404)
    raw = {key: request.GET.get(key, "").strip() for key in ("from", "to")}
    if not all(raw.values()):
        message = _("Choose the two versions to compare: give both “from” and “to”.")
        return _error(request, context, message, 400)
    numbers = {}
    for key, value in raw.items():
        if not value.isdigit() or len(value) > 9:
            message = _("“%(value)s” is not a version number.") % {"value": value[:20]}
            return _error(request, context, message, 400)
        numbers[key] = int(value)
    unknown = [str(n) for n in numbers.values() if n not in versions]
    if unknown:
        message = _("%(slug)s has no version %(versions)s.") % {
            "slug": slug, "versions": ", ".join(unknown)
        }  # fmt: skip
        return _error(request, context, message, 404)
    old, new = versions[numbers["from"]], versions[numbers["to"]]
    diff = diff_banks(framework_to_dict(old), framework_to_dict(new))
    return render(
        request,
        "frameworks/diff.html",
        {**context, "diff": diff, "old": old, "new": new},
    )


def _error(request, context, message: str, status: int):
    """The version chooser, with what was wrong."""
    return render(request, "frameworks/diff.html", {**context, "error": message}, status=status)
