"""What analysts do with a question bank: partnerships, assessments, answers.

Answers belong to an assessment (not to a partnership), so several analysts can
later assess the same partnership separately. An assessment points at one exact
published framework version, so its results never change after the fact.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from frameworks.models import Choice, CooperationModel, Framework, Question


class Team(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartnershipQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PartnershipQuerySet":
        from .roles import is_admin

        if is_admin(user):
            return self
        return self.filter(team__members=user)


class Partnership(models.Model):
    name = models.CharField(_("name"), max_length=200)
    countries = models.CharField(
        _("partner countries"), max_length=500, help_text=_("Comma-separated, e.g. France, Mali.")
    )
    declared_model = models.CharField(
        _("declared cooperation model"), max_length=20, choices=CooperationModel.Code.choices
    )
    description = models.TextField(_("description"), blank=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="partnerships")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PartnershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="partnership_name_per_team"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def country_list(self) -> list[str]:
        return [c.strip() for c in self.countries.split(",") if c.strip()]


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AssessmentQuerySet":
        """Owner, members of the partnership's team, and admins."""
        from .roles import is_admin

        if is_admin(user):
            return self
        team_ids = Team.objects.filter(members=user).values("pk")
        return self.filter(Q(owner=user) | Q(partnership__team__in=team_ids))


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="assessments"
    )
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )

    class Mode(models.TextChoices):
        SINGLE = "single", _("One set of answers")
        INDEPENDENT = "independent", _("Independent answers, then reconciliation")

    marking = models.CharField(_("handling marking"), max_length=100)
    mode = models.CharField(
        _("answering"), max_length=12, choices=Mode.choices, default=Mode.SINGLE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reconciled_at = models.DateTimeField(null=True, blank=True)

    objects = AssessmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["-updated_at", "-id"], name="assessment_recent")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.partnership} ({self.created_at:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("assessment:questionnaire", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        # "Returned" sends an assessment back to draft; both states can be edited.
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @property
    def is_independent(self) -> bool:
        return self.mode == self.Mode.INDEPENDENT

    @property
    def awaiting_reconciliation(self) -> bool:
        """Independent answers are being given or compared: the assessment's own
        answers do not exist yet."""
        return self.is_independent and self.reconciled_at is None


class Respondent(models.Model):
    """An analyst who answers an assessment independently, in an answer set of their
    own (a blind round, as in a Delphi exercise)."""

    class Status(models.TextChoices):
        ANSWERING = "answering", _("Answering")
        SUBMITTED = "submitted", _("Submitted")
        REMOVED = "removed", _("Removed")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="respondents")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ANSWERING
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "user"], name="respondent_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.assessment_id}"

    @property
    def is_active(self) -> bool:
        return self.status != self.Status.REMOVED


class StatusChange(models.Model):
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=10, choices=Assessment.Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Assessment.Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"


class Answer(models.Model):
    """One answer to one question. `version` increases on every save; a save
    based on an older version is refused instead of silently overwriting.

    Single choice, Likert and yes/no answers keep their option in `choice`;
    multiple-choice answers in `choices`. `answers.py` reads and writes both.
    """

    class Confidence(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    # None: the assessment's own answer. Set: an answer in a respondent's independent set.
    respondent = models.ForeignKey(
        Respondent, on_delete=models.CASCADE, null=True, blank=True, related_name="answers"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    choice = models.ForeignKey(
        Choice, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    choices = models.ManyToManyField(Choice, blank=True, related_name="+")
    number = models.FloatField(null=True, blank=True)
    text = models.TextField(blank=True)
    is_na = models.BooleanField(default=False)
    comment = models.TextField(blank=True)
    confidence = models.CharField(
        _("confidence"), max_length=6, choices=Confidence.choices, blank=True
    )
    # Reconciliation of independent answers: whose answer was taken (None: entered by the
    # owner) and why.
    reconciled_from = models.ForeignKey(
        Respondent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rationale = models.TextField(_("rationale"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(m2m_fields=[choices])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"],
                condition=Q(respondent__isnull=True),
                name="answer_once_per_question",
            ),
            models.UniqueConstraint(
                fields=["respondent", "question"],
                condition=Q(respondent__isnull=False),
                name="answer_once_per_question_per_respondent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.question_id}"


class FrozenReportLocked(ValidationError):
    """Raised on any attempt to change or delete a frozen report."""


class FrozenReportQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise FrozenReportLocked(_("A frozen report never changes."), code="locked")

    def delete(self):
        raise FrozenReportLocked(_("A frozen report is never deleted."), code="locked")


class FrozenReport(models.Model):
    """The report of an approved assessment, exactly as it was approved.

    Written once, in the approval's transaction (`services.report_freeze`): the
    snapshot the PDF was rendered from (`assessment.json`, canonical bytes, and
    `bank.yaml`), the PDF itself, and the SHA-256 of each. Downloads serve these
    bytes; nothing here is ever updated or deleted (see `reports/freeze.py`).
    """

    assessment = models.OneToOneField(
        Assessment, on_delete=models.PROTECT, related_name="frozen_report"
    )
    pdf = models.BinaryField(_("PDF"))
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64)
    snapshot_json = models.BinaryField(_("assessment.json"))
    snapshot_sha256 = models.CharField(_("snapshot SHA-256"), max_length=64, unique=True)
    bank_yaml = models.BinaryField(_("bank.yaml"))
    bank_sha256 = models.CharField(_("bank SHA-256"), max_length=64)
    methodology_version = models.PositiveIntegerField(_("methodology version"))
    app_version = models.CharField(_("app version"), max_length=40)
    created_at = models.DateTimeField(_("frozen at"), auto_now_add=True)

    objects = FrozenReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("frozen report")
        constraints = [
            models.CheckConstraint(
                condition=Exact(Length("pdf_sha256"), 64)
                & Exact(Length("snapshot_sha256"), 64)
                & Exact(Length("bank_sha256"), 64),
                name="frozen_report_sha256_length",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.snapshot_sha256[:12]}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise FrozenReportLocked(_("A frozen report never changes."), code="locked")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenReportLocked(_("A frozen report is never deleted."), code="locked")


class VersionMove(models.Model):
    """An assessment moved to a newer version of its bank: what carried over, what was
    dropped for re-answering, and the previous answers as exported, so nothing is lost."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="version_moves"
    )
    from_framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")
    to_framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    carried = models.JSONField(
        _("carried over"), default=list, blank=True, help_text=_("Question codes.")
    )
    dropped = models.JSONField(
        _("dropped"), default=list, blank=True, help_text=_("[{question, reason}] to answer again.")
    )
    previous_answers = models.JSONField(
        _("previous answers"),
        default=list,
        blank=True,
        help_text=_("The answers before the move, as exported."),
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.assessment_id}: v{self.from_framework_id} -> v{self.to_framework_id}"
