"""Who may keep question banks, and the one way views reach a bank or a part of it.

The rule is a Django permission, not a role of the analyst app (which this app may
not import): `frameworks.change_framework`. Migration 0003 gives the bank
permissions to the `admin` role group and to the `bank editor` group; superusers
have every permission. Anonymous users never get here (login is required
everywhere). Everyone else gets 403, before any lookup, so the editor's URLs
reveal nothing to them.
"""

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from .models import (
    Choice,
    CooperationModel,
    Dimension,
    Framework,
    MaturityBand,
    ModelCondition,
    ModelProfile,
    Question,
    Recommendation,
    RedLine,
)

BANK_PERMISSION = "frameworks.change_framework"
BANK_EDITOR_GROUP = "bank editor"

# The parts of a bank the editor changes one by one, by their name in URLs: the model,
# the lookup from it to its framework, and what else its checks read.
PARTS = {
    "dimension": (Dimension, "framework", ()),
    "question": (Question, "framework", ("dimension",)),
    "choice": (Choice, "question__framework", ()),
    "recommendation": (Recommendation, "framework", ("dimension",)),
    "model": (CooperationModel, "framework", ()),
    "profile": (ModelProfile, "model__framework", ("dimension",)),
    "condition": (ModelCondition, "model__framework", ("question",)),
    "red-line": (RedLine, "framework", ("question",)),
    "band": (MaturityBand, "framework", ()),
}


def can_edit_banks(user) -> bool:
    """Superusers, and users granted the bank permission directly or through a group
    (the `admin` and `bank editor` groups). One query, read once per request: Django's
    `has_perm` would read every permission of the user and of their groups (two)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_can_edit_banks"):
        app_label, codename = BANK_PERMISSION.split(".")
        user._can_edit_banks = Permission.objects.filter(
            Q(user=user) | Q(group__user=user),
            content_type__app_label=app_label,
            codename=codename,
        ).exists()
    return user._can_edit_banks


def check_bank_editor(user) -> None:
    if not can_edit_banks(user):
        raise PermissionDenied(_("Only bank editors and admins may keep question banks."))


def bank_for(user, slug: str, version) -> Framework:
    """The bank `slug` version `version`, for a user who may keep banks (else 403/404)."""
    check_bank_editor(user)
    framework = Framework.objects.filter(slug=slug, version=_int(version, 2**31)).first()
    if framework is None:
        raise Http404(_("There is no question bank %(slug)s version %(version)s.") % {
            "slug": slug, "version": version,
        })  # fmt: skip
    return framework


def part_for(user, slug: str, version, part: str, pk):
    """One part of a bank (a dimension, a question, a choice, ...) with its framework
    loaded, in one query; a part of another bank or version is a 404."""
    check_bank_editor(user)
    if part not in PARTS:
        raise Http404
    model, lookup, related = PARTS[part]
    where = {f"{lookup}__slug": slug, f"{lookup}__version": _int(version, 2**31)}
    found = model.objects.select_related(lookup, *related).filter(pk=_int(pk), **where).first()
    if found is None:
        raise Http404(_("This %(part)s is not part of %(slug)s version %(version)s.") % {
            "part": part.replace("-", " "), "slug": slug, "version": version,
        })  # fmt: skip
    return found


def framework_of(part) -> Framework:
    """The framework of a part fetched by `part_for` (already loaded, no query)."""
    for name in ("framework", "model", "question"):
        parent = getattr(part, name, None)
        if isinstance(parent, Framework):
            return parent
        if parent is not None:
            return parent.framework
    raise TypeError(part)


def _int(value, limit: int = 2**63) -> int:
    """An id or version from a URL; anything a database column cannot hold is a 404."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < number < limit:
        raise Http404
    return number
