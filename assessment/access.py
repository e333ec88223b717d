"""The one place that decides who may see or change an assessment.

Every view taking an assessment id goes through `assessment_for`. No access at
all is a 404, so the existence of other teams' work does not leak; access to
read but not to act is a 403 with the reason.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Assessment, Partnership, Team
from .roles import is_admin, is_analyst, is_reviewer


class AssessmentLocked(PermissionDenied):
    """The assessment exists and may be read, but not changed in its state."""


def _in_team(user, team_id: int) -> bool:
    # Cached on the user object, like roles: one query per request however many checks.
    if not hasattr(user, "_team_ids"):
        user._team_ids = set(Team.objects.filter(members=user).values_list("pk", flat=True))
    return team_id in user._team_ids


def can_edit(user, assessment: Assessment) -> bool:
    if not assessment.is_editable:
        return False
    if is_admin(user) or assessment.owner_id == user.pk:
        return True
    return is_analyst(user) and _in_team(user, assessment.partnership.team_id)


def can_review(user, assessment: Assessment) -> bool:
    if assessment.status != Assessment.Status.SUBMITTED:
        return False
    if is_admin(user):
        return True
    return (
        is_reviewer(user)
        and assessment.owner_id != user.pk
        and _in_team(user, assessment.partnership.team_id)
    )


def assessment_for(user, pk, *, to_edit: bool = False, to_review: bool = False) -> Assessment:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    assessment = (
        Assessment.objects.visible_to(user)
        .select_related("partnership__team", "framework", "owner")
        .filter(pk=pk)
        .first()
    )
    if assessment is None:
        raise Http404
    if to_edit and not can_edit(user, assessment):
        if not assessment.is_editable:
            raise AssessmentLocked(
                _("This assessment is %(status)s and can no longer be edited.")
                % {"status": assessment.get_status_display().lower()}
            )
        raise AssessmentLocked(_("You may read this assessment but not edit it."))
    if to_review and not can_review(user, assessment):
        if assessment.status != Assessment.Status.SUBMITTED:
            raise AssessmentLocked(_("Only a submitted assessment can be reviewed."))
        raise AssessmentLocked(_("You may not review this assessment."))
    return assessment


def partnership_for(user, pk, *, to_edit: bool = False) -> Partnership:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    partnership = Partnership.objects.visible_to(user).select_related("team").filter(pk=pk).first()
    if partnership is None:
        raise Http404
    if to_edit and not (is_admin(user) or is_analyst(user)):
        raise PermissionDenied(_("Only analysts and admins can edit partnerships."))
    return partnership


def teams_for(user):
    """Teams a user may file partnerships under."""
    return Team.objects.all() if is_admin(user) else Team.objects.filter(members=user)
