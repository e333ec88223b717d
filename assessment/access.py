"""Every "may this user ...?" rule of the analyst app, and nothing else.

Roles (`roles.py`): analysts create and edit drafts of their team's partnerships;
reviewers read their team's work and decide on submitted assessments they do not
own; admins may do everything. Owning an assessment gives no right by itself:
an owner whose analyst role was removed can no longer edit it.

Views and services call the same functions. No access at all is a 404, so the
existence of other teams' work does not leak; access to read but not to act is
a 403 with the reason.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from .models import Assessment, Partnership, Team
from .roles import is_admin, is_analyst, is_reviewer


class AssessmentLocked(PermissionDenied):
    """The assessment exists and may be read, but not changed in this way."""


def _team_ids(user) -> set[int]:
    # Cached on the user object, like roles: one query per request however many checks.
    if not hasattr(user, "_team_ids"):
        user._team_ids = set(Team.objects.filter(members=user).values_list("pk", flat=True))
    return user._team_ids


def _in_team(user, team_id: int) -> bool:
    return team_id in _team_ids(user)


# Partnerships ---------------------------------------------------------------------


def teams_for(user):
    """Teams a user may file partnerships under."""
    if is_admin(user):
        return Team.objects.all()
    if is_analyst(user):
        return Team.objects.filter(members=user)
    return Team.objects.none()


def can_create_partnership(user) -> bool:
    return is_admin(user) or (is_analyst(user) and bool(_team_ids(user)))


def can_edit_partnership(user, partnership: Partnership) -> bool:
    return is_admin(user) or (is_analyst(user) and _in_team(user, partnership.team_id))


def partnership_for(user, pk, *, to_edit: bool = False) -> Partnership:
    partnership = (
        Partnership.objects.visible_to(user).select_related("team").filter(pk=_int(pk)).first()
    )
    if partnership is None:
        raise Http404
    if to_edit and not can_edit_partnership(user, partnership):
        raise PermissionDenied(_("Only analysts of its team and admins can edit a partnership."))
    return partnership


# Assessments ----------------------------------------------------------------------


def can_create_assessment(user, partnership: Partnership | None = None) -> bool:
    """Analysts start assessments of their teams' partnerships; admins of any."""
    if is_admin(user):
        return True
    if not is_analyst(user):
        return False
    return bool(_team_ids(user)) if partnership is None else _in_team(user, partnership.team_id)


def can_edit(user, assessment: Assessment) -> bool:
    return edit_refusal(user, assessment) is None


def edit_refusal(user, assessment: Assessment) -> str | None:
    """Why this user may not change the answers of this assessment (None: they may)."""
    if not assessment.is_editable:
        return _("This assessment is %(status)s and can no longer be edited.") % {
            "status": assessment.get_status_display().lower()
        }
    if assessment.awaiting_reconciliation:
        return _(
            "This assessment is answered independently: its answers come from the "
            "reconciliation of the respondents' sets."
        )
    if is_admin(user):
        return None
    if not is_analyst(user):
        return _("Only analysts edit answers; you may read this assessment.")
    if assessment.owner_id == user.pk or _in_team(user, assessment.partnership.team_id):
        return None
    return _("You may read this assessment but not edit it.")


def check_edit(user, assessment: Assessment) -> None:
    """Raise AssessmentLocked with the reason when the user may not edit."""
    refusal = edit_refusal(user, assessment)
    if refusal:
        raise AssessmentLocked(refusal)


def is_reviewer_of(user, assessment: Assessment) -> bool:
    """May decide on this assessment whenever it is submitted: an admin, or a reviewer
    of its team who does not own it."""
    if is_admin(user):
        return True
    return (
        is_reviewer(user)
        and assessment.owner_id != user.pk
        and _in_team(user, assessment.partnership.team_id)
    )


def can_review(user, assessment: Assessment) -> bool:
    return assessment.status == Assessment.Status.SUBMITTED and is_reviewer_of(user, assessment)


def check_review(user, assessment: Assessment) -> None:
    """Raise AssessmentLocked with the reason when the user may not decide on it."""
    if can_review(user, assessment):
        return
    if assessment.status != Assessment.Status.SUBMITTED:
        raise AssessmentLocked(_("Only a submitted assessment can be reviewed."))
    raise AssessmentLocked(_("You may not review this assessment."))


# Independent answers ----------------------------------------------------------------


def can_manage_respondents(user, assessment: Assessment) -> bool:
    """The owner (while an analyst) or an admin, on a draft."""
    return assessment.is_editable and is_lead(user, assessment)


def check_manage_respondents(user, assessment: Assessment) -> None:
    if not can_manage_respondents(user, assessment):
        if not assessment.is_editable:
            raise AssessmentLocked(_("Only a draft's respondents can be changed."))
        raise AssessmentLocked(_("Only the owner or an admin chooses the respondents."))


def can_answer_as(user, assessment: Assessment, respondent) -> bool:
    """A respondent answers their own set while it is open."""
    return (
        respondent is not None
        and respondent.user_id == user.pk
        and respondent.status == respondent.Status.ANSWERING
        and assessment.is_editable
        and assessment.awaiting_reconciliation
        and is_analyst(user)
    )


def check_answer_as(user, assessment: Assessment, respondent) -> None:
    if can_answer_as(user, assessment, respondent):
        return
    if respondent is not None and respondent.status == respondent.Status.SUBMITTED:
        raise AssessmentLocked(_("You have submitted your answers; they can no longer change."))
    if respondent is not None and respondent.status == respondent.Status.REMOVED:
        raise AssessmentLocked(_("You were removed from the respondents of this assessment."))
    raise AssessmentLocked(_("These answers are not yours to change."))


def can_see_sets(user, assessment: Assessment, sets) -> bool:
    """Nobody but its respondent sees a set before every set is in (blind rounds).
    Then everyone who may see the assessment sees them, except that reviewers who are
    not analysts wait until it is submitted."""
    if sets is None or not sets.revealed:
        return False
    if is_admin(user) or is_analyst(user):
        return True
    return assessment.status in (Assessment.Status.SUBMITTED, Assessment.Status.APPROVED)


def can_reconcile(user, assessment: Assessment, sets) -> bool:
    return reconcile_refusal(user, assessment, sets) is None


def reconcile_refusal(user, assessment: Assessment, sets) -> str | None:
    """Why the user may not reconcile now (None: they may), in the user's terms."""
    if not (assessment.is_independent and is_lead(user, assessment)):
        return _("The owner or an admin reconciles the independent answers.")
    if assessment.reconciled_at is not None:
        return _(
            "These answers were reconciled on %(when)s; they are the assessment's answers "
            "now, and are changed in the questionnaire."
        ) % {"when": date_format(localtime(assessment.reconciled_at), "DATETIME_FORMAT")}
    if not assessment.is_editable:
        return _("Only a draft is reconciled.")
    if sets is None or not sets.revealed:
        return _("Reconciliation opens once every respondent has submitted their answers.")
    return None


def is_lead(user, assessment: Assessment) -> bool:
    """The owner (while an analyst) or an admin: who chooses and reconciles respondents."""
    return is_admin(user) or (assessment.owner_id == user.pk and is_analyst(user))


def assessment_for(user, pk, *, to_edit: bool = False, to_review: bool = False) -> Assessment:
    """The assessment `pk` if the user may see it (else 404), checked for the action."""
    assessment = (
        Assessment.objects.visible_to(user)
        .select_related("partnership__team", "framework", "owner")
        .filter(pk=_int(pk))
        .first()
    )
    if assessment is None:
        raise Http404
    if to_edit:
        check_edit(user, assessment)
    if to_review:
        check_review(user, assessment)
    return assessment


def _int(pk) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
