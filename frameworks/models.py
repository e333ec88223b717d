"""Question banks: what is asked, what answers are worth, the reference models.

A framework is versioned by (slug, version). Once published it is immutable,
because assessments point at the exact version they were answered against and
their results must never change. Every part of a bank refuses to be saved or
deleted while its framework is not a draft; see `FrameworkPart`.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

SCORE_MIN = 0.0
SCORE_MAX = 100.0


class FrameworkLocked(ValidationError):
    """Raised on any attempt to change a framework that is no longer a draft."""


def validate_positive(value: float) -> None:
    if value is None or value <= 0:
        raise ValidationError(_("Must be greater than zero."), code="not_positive")


percent_validators = [MinValueValidator(0.0), MaxValueValidator(100.0)]


class Framework(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    slug = models.SlugField(_("slug"), max_length=60)
    version = models.PositiveIntegerField(_("version"), validators=[MinValueValidator(1)])
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    ready_at = models.FloatField(
        _("within reach at readiness"),
        default=90.0,
        validators=percent_validators,
        help_text=_("A model is within reach from this readiness on, with its conditions met."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["slug", "-version"]
        verbose_name = _("framework")
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="framework_slug_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="framework_version_gte_1"),
            models.CheckConstraint(
                condition=Q(ready_at__gte=0) & Q(ready_at__lte=100), name="framework_ready_at_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version}, {self.get_status_display()})"

    def save(self, *args, **kwargs):
        # Published and retired versions may only change status (publish -> retire).
        if self.pk and kwargs.get("update_fields") != ["status"]:
            stored = Framework.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored not in (None, self.Status.DRAFT):
                raise FrameworkLocked(
                    _("%(fw)s is %(status)s and cannot be changed; create a new version.")
                    % {"fw": f"{self.slug} v{self.version}", "status": stored},
                    code="locked",
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if not self.is_draft:
            raise FrameworkLocked(
                _("%(fw)s is %(status)s and cannot be deleted.")
                % {"fw": f"{self.slug} v{self.version}", "status": self.status},
                code="locked",
            )
        return super().delete(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class FrameworkPart(models.Model):
    """A piece of a bank: editable only while its framework is a draft.

    `lock_lookup` is how Framework reaches the parent named by `lock_parent`,
    so the check is one query whatever the depth of the part.
    """

    lock_lookup = "pk"
    lock_parent = "framework_id"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._refuse_if_locked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_locked()
        return super().delete(*args, **kwargs)

    def _framework_is_draft(self) -> bool:
        parent_id = getattr(self, self.lock_parent)
        return Framework.objects.filter(
            **{self.lock_lookup: parent_id, "status": Framework.Status.DRAFT}
        ).exists()

    def _refuse_if_locked(self) -> None:
        if getattr(self, self.lock_parent) is not None and not self._framework_is_draft():
            raise FrameworkLocked(
                _("This question bank is published and cannot be changed; create a new version."),
                code="locked",
            )


class Dimension(FrameworkPart):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="dimensions")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.FloatField(_("weight"), default=1.0, validators=[validate_positive])
    order = models.PositiveIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="dimension_code_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="dimension_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Question(FrameworkPart):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        LIKERT = "likert", _("Likert scale 1-5")
        YESNO = "yesno", _("Yes / no")
        MULTI = "multi", _("Multiple choice")
        NUMERIC = "numeric", _("Number")
        TEXT = "text", _("Free text (not scored)")

    CHOICE_KINDS = frozenset({Kind.SINGLE, Kind.LIKERT, Kind.YESNO, Kind.MULTI})

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="questions")
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(_("code"), max_length=40)
    text = models.TextField(_("question"))
    guidance = models.TextField(_("guidance"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    weight = models.FloatField(_("weight"), default=1.0, validators=[validate_positive])
    required = models.BooleanField(_("required"), default=True)
    allow_na = models.BooleanField(_("N/A allowed"), default=False)
    scored = models.BooleanField(
        _("scored"), default=True, help_text=_("Off for context questions, which feed no score.")
    )
    references = models.JSONField(_("references"), default=list, blank=True)
    min_value = models.FloatField(_("minimum"), null=True, blank=True)
    max_value = models.FloatField(_("maximum"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="question_code_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="question_weight_positive"),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(min_value__lt=models.F("max_value")),
                name="question_min_below_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text[:60]}"

    @property
    def has_choices(self) -> bool:
        return self.kind in self.CHOICE_KINDS

    def clean(self) -> None:
        if self.dimension_id and self.framework_id is None:
            self.framework_id = self.dimension.framework_id
        if self.dimension_id and self.framework_id != self.dimension.framework_id:
            raise ValidationError({"dimension": _("The dimension belongs to another framework.")})
        if self.kind != self.Kind.NUMERIC and (
            self.min_value is not None or self.max_value is not None
        ):
            raise ValidationError(_("Only numeric questions have a minimum and maximum."))
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value >= self.max_value
        ):
            raise ValidationError({"max_value": _("The maximum must be above the minimum.")})


class Choice(FrameworkPart):
    lock_lookup = "questions"
    lock_parent = "question_id"

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    label = models.CharField(_("label"), max_length=300)
    score = models.FloatField(_("score"), validators=percent_validators)
    order = models.PositiveIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=SCORE_MIN) & Q(score__lte=SCORE_MAX),
                name="choice_score_range",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class CooperationModel(FrameworkPart):
    class Code(models.TextChoices):
        BILATERAL = "bilateral", _("Bilateral agreement")
        MULTILATERAL = "multilateral", _("Multilateral alliance")
        INFORMAL = "informal", _("Informal network")

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="cooperation_models"
    )
    code = models.CharField(_("code"), max_length=20, choices=Code.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"))
    strengths = models.TextField(_("strengths"))
    weaknesses = models.TextField(_("weaknesses"))
    order = models.PositiveIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("cooperation model")
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="model_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ModelProfile(FrameworkPart):
    lock_lookup = "cooperation_models"
    lock_parent = "model_id"

    model = models.ForeignKey(CooperationModel, on_delete=models.CASCADE, related_name="profile")
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="profiles")
    target = models.FloatField(_("target score"), validators=percent_validators)
    rationale = models.TextField(_("rationale"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["dimension__order", "pk"]
        verbose_name = _("model profile")
        constraints = [
            models.UniqueConstraint(fields=["model", "dimension"], name="profile_unique"),
            models.CheckConstraint(
                condition=Q(target__gte=0) & Q(target__lte=100), name="profile_target_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model} / {self.dimension}: {self.target:g}"

    def clean(self) -> None:
        if (
            self.model_id
            and self.dimension_id
            and self.model.framework_id != self.dimension.framework_id
        ):
            raise ValidationError({"dimension": _("The dimension belongs to another framework.")})


class MaturityBand(FrameworkPart):
    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="maturity_bands"
    )
    min_score = models.FloatField(_("from score"), validators=percent_validators)
    max_score = models.FloatField(_("to score"), validators=percent_validators)
    label = models.CharField(_("label"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["min_score"]
        verbose_name = _("maturity band")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_score__gte=0)
                & Q(max_score__lte=100)
                & Q(min_score__lt=models.F("max_score")),
                name="band_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.min_score:g}-{self.max_score:g})"


class Recommendation(FrameworkPart):
    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="recommendations"
    )
    dimension = models.ForeignKey(
        Dimension, on_delete=models.CASCADE, related_name="recommendations"
    )
    below = models.FloatField(_("applies below score"), validators=percent_validators)
    text = models.TextField(_("recommendation"))
    order = models.PositiveIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(below__gt=0) & Q(below__lte=100), name="recommendation_below_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}: < {self.below:g}"

    def clean(self) -> None:
        if self.dimension_id and self.framework_id is None:
            self.framework_id = self.dimension.framework_id
        if self.dimension_id and self.framework_id != self.dimension.framework_id:
            raise ValidationError({"dimension": _("The dimension belongs to another framework.")})


class ModelCondition(FrameworkPart):
    """An answer without which a cooperation model does not exist at all."""

    lock_lookup = "cooperation_models"
    lock_parent = "model_id"

    model = models.ForeignKey(CooperationModel, on_delete=models.CASCADE, related_name="conditions")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    at_least = models.FloatField(_("met from question score"))
    why = models.TextField(_("why"))
    order = models.PositiveIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("model condition")
        constraints = [
            models.CheckConstraint(
                condition=Q(at_least__gt=0) & Q(at_least__lte=1), name="condition_at_least_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model}: {self.question.code} >= {self.at_least:g}"


class RedLine(FrameworkPart):
    """A safeguard whose absence caps its dimension, so it cannot be averaged away."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="red_lines")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    below = models.FloatField(_("triggered below question score"))
    cap = models.FloatField(_("dimension capped at"), validators=percent_validators)
    reason = models.TextField(_("reason"))
    order = models.PositiveIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("red line")
        constraints = [
            models.CheckConstraint(
                condition=Q(below__gt=0) & Q(below__lte=1), name="red_line_below_range"
            ),
            models.CheckConstraint(condition=Q(cap__gte=0) & Q(cap__lte=100), name="red_line_cap"),
        ]

    def __str__(self) -> str:
        return f"{self.question.code} < {self.below:g}: cap {self.cap:g}"
