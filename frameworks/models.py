"""Question banks: what is asked, what answers are worth, the reference models.

A framework is versioned by (slug, version). Once published it is immutable,
because assessments point at the exact version they were answered against and
their results must never change. Every part of a bank refuses to be saved or
deleted while its framework is not a draft; see `FrameworkPart`. The lock holds
for queryset `update()`, `delete()`, `bulk_create()` and `bulk_update()` too, and
a framework's status only moves draft -> published -> retired.
"""

from collections.abc import Iterable
from contextlib import nullcontext
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .constraints import ChecksInPython

SCORE_MIN = 0.0
SCORE_MAX = 100.0


class FrameworkLocked(ValidationError):
    """Raised on any attempt to change a framework that is no longer a draft."""


def _locked(message: str, **params) -> FrameworkLocked:
    return FrameworkLocked(message % params if params else message, code="locked")


def validate_positive(value: float) -> None:
    if value is None or value <= 0:
        raise ValidationError(_("Must be greater than zero."), code="not_positive")


percent_validators = [MinValueValidator(0.0), MaxValueValidator(100.0)]


def _any(conditions: Iterable[Q]) -> Q:
    """OR of the conditions; matches nothing when there are none."""
    return reduce(or_, conditions, Q(pk__in=[]))


def _transaction(using: str | None):
    """A transaction for a lock and the write it guards. Inside the caller's
    transaction no savepoint is needed (two statements per write): a refusal comes
    before anything is written, and a failing write marks the caller's transaction
    for rollback, as Django's own save() and update() do."""
    connection = transaction.get_connection(using)
    return nullcontext() if connection.in_atomic_block else transaction.atomic(using=using)


def _refuse_unless_drafts(frameworks: Q) -> None:
    """Refuse unless every framework matched is a draft.

    The rows stay locked until the caller's transaction ends, so none of them
    can be published between this check and the caller's write.
    """
    found = Framework.objects.select_for_update().filter(frameworks)
    locked = [
        f"{slug} v{version} is {status}"
        for slug, version, status in found.values_list("slug", "version", "status")
        if status != Framework.Status.DRAFT
    ]
    if locked:
        raise _locked(
            _("%(locked)s and cannot be changed; create a new version."), locked=", ".join(locked)
        )


class _LockedQuerySet(models.QuerySet):
    def bulk_update(self, objs, fields, batch_size=None):
        # bulk_update() calls update() in an atomic block without a savepoint; this
        # one keeps the caller's transaction usable when update() refuses.
        with transaction.atomic(using=self.db):
            return super().bulk_update(objs, fields, batch_size)


class FrameworkQuerySet(_LockedQuerySet):
    """Bulk writes obey the lock of `Framework.save()` and `Framework.delete()`."""

    def update(self, **kwargs):
        if "status" in kwargs:
            raise _locked(
                _(
                    "A framework's status changes one at a time, through framework_publish or "
                    "framework_retire."
                )
            )
        with _transaction(self.db):
            _refuse_unless_drafts(Q(pk__in=self.values("pk")))
            return super().update(**kwargs)

    def delete(self):
        with _transaction(self.db):
            _refuse_unless_drafts(Q(pk__in=self.values("pk")))
            return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.refuse_unless_new_draft()
        return super().bulk_create(objs, *args, **kwargs)


class Framework(ChecksInPython, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    # The only status changes there are: publish a draft, retire a published version.
    NEXT_STATUS = {Status.DRAFT: Status.PUBLISHED, Status.PUBLISHED: Status.RETIRED}

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
    objects = FrameworkQuerySet.as_manager()

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
        with _transaction(kwargs.get("using")):
            stored = (
                Framework.objects.select_for_update()
                .filter(pk=self.pk)
                .values_list("status", flat=True)
                .first()
            )
            if stored is None:
                self.refuse_unless_new_draft()
            else:
                self._refuse_unless_allowed(stored, kwargs.get("update_fields"))
            super().save(*args, **kwargs)

    def refuse_unless_new_draft(self) -> None:
        if self.status != self.Status.DRAFT:
            raise _locked(_("%(fw)s: a framework starts as a draft."), fw=self._name())

    def _refuse_unless_allowed(self, stored: str, update_fields: Iterable[str] | None) -> None:
        """A draft changes freely; a published version may only be retired."""
        if self.status != stored and self.status != self.NEXT_STATUS.get(stored):
            raise _locked(
                _(
                    "%(fw)s is %(stored)s and cannot become %(status)s: a framework only goes "
                    "from draft to published to retired."
                ),
                fw=self._name(),
                stored=stored,
                status=self.status,
            )
        if stored != self.Status.DRAFT and (
            self.status == stored or set(update_fields or ()) != {"status"}
        ):
            raise _locked(
                _("%(fw)s is %(stored)s and cannot be changed; create a new version."),
                fw=self._name(),
                stored=stored,
            )

    def delete(self, *args, **kwargs):
        with _transaction(kwargs.get("using")):
            _refuse_unless_drafts(Q(pk=self.pk))
            return super().delete(*args, **kwargs)

    def _name(self) -> str:
        return f"{self.slug} v{self.version}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class FrameworkPartQuerySet(_LockedQuerySet):
    """Bulk writes obey the lock of `FrameworkPart.save()` and `delete()`."""

    def update(self, **kwargs):
        parents = {
            name for field in self.model._parent_fields() for name in (field.name, field.attname)
        }
        with _transaction(self.db):
            if parents.isdisjoint(kwargs):
                self.model.refuse_unless_drafts(rows=self.values("pk"))
                return super().update(**kwargs)
            rows = list(self.values_list("pk", flat=True))
            self.model.refuse_unless_drafts(rows=rows)
            count = super().update(**kwargs)
            self.model.refuse_unless_drafts(rows=rows)  # where the update moved them
            return count

    def delete(self):
        with _transaction(self.db):
            self.model.refuse_unless_drafts(rows=self.values("pk"))
            return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        with _transaction(self.db):
            self.model.refuse_unless_drafts(new=objs)
            return super().bulk_create(objs, *args, **kwargs)


class FrameworkPart(ChecksInPython, models.Model):
    """A piece of a bank: editable only while every framework it hangs from is a draft.

    A part hangs from a framework through its foreign keys, directly or through
    other parts (a Choice through its Question, and that Question's Dimension),
    so a part can be neither changed in a published bank nor moved into or out of one.
    """

    objects = FrameworkPartQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        with _transaction(kwargs.get("using")):
            self.refuse_unless_drafts(rows=[self.pk] if self.pk else [], new=[self])
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        with _transaction(kwargs.get("using")):
            self.refuse_unless_drafts(rows=[self.pk])
            return super().delete(*args, **kwargs)

    def clean_fields(self, exclude=None):
        """A parent read from the database with this part exists: proving it again
        costs a query per foreign key on every save (the database's own foreign key
        still holds)."""
        loaded = {
            field.name
            for field in self._parent_fields()
            if field.is_cached(self)
            and (parent := field.get_cached_value(self)) is not None
            and not parent._state.adding
            and parent.pk == getattr(self, field.attname)
        }
        super().clean_fields(exclude=set(exclude or ()) | loaded)

    @classmethod
    def refuse_unless_drafts(cls, *, rows: Iterable = (), new: Iterable = ()) -> None:
        """Refuse unless the frameworks of the stored `rows` (pks, or a pk subquery) and
        of the parents that the `new` instances point at are all drafts."""
        _refuse_unless_drafts(cls._frameworks_of_rows(rows) | cls._frameworks_of_parents(new))

    @classmethod
    def _parent_fields(cls) -> list[models.ForeignKey]:
        return [
            field
            for field in cls._meta.concrete_fields
            if field.many_to_one
            and (field.related_model is Framework or issubclass(field.related_model, FrameworkPart))
        ]

    @classmethod
    def _framework_paths(cls) -> list[str]:
        """Lookups from this model to each framework it hangs from."""
        paths = []
        for field in cls._parent_fields():
            if field.related_model is Framework:
                paths.append(field.name)
            else:
                paths += [f"{field.name}__{p}" for p in field.related_model._framework_paths()]
        return paths

    @classmethod
    def _frameworks_of_rows(cls, rows) -> Q:
        if isinstance(rows, list | tuple) and not rows:
            return _any([])
        stored = cls._base_manager.filter(pk__in=rows)
        return _any(Q(pk__in=stored.values(path)) for path in cls._framework_paths())

    @classmethod
    def _frameworks_of_parents(cls, objs: Iterable["FrameworkPart"]) -> Q:
        objs = list(objs)
        conditions = []
        for field in cls._parent_fields():
            ids = {getattr(obj, field.attname) for obj in objs} - {None}
            if not ids:
                continue
            if field.related_model is Framework:
                conditions.append(Q(pk__in=ids))
            else:
                conditions.append(field.related_model._frameworks_of_rows(list(ids)))
        return _any(conditions)


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
