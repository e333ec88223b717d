"""Editing question banks. Published versions are shown read-only; actions call
the same services as the management commands."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .io import BankValidationError, dump_bank, framework_to_dict
from .models import (
    Choice,
    CooperationModel,
    Dimension,
    Framework,
    MaturityBand,
    ModelProfile,
    Question,
    Recommendation,
)
from .services import framework_new_version, framework_publish, framework_retire


def _framework_of(obj) -> Framework | None:
    if obj is None:
        return None
    if isinstance(obj, Framework):
        return obj
    if isinstance(obj, Choice):
        return obj.question.framework
    if isinstance(obj, ModelProfile):
        return obj.model.framework
    return obj.framework


class LockedWhenPublished:
    """Admin mixin: everything belonging to a non-draft framework is read-only."""

    def _locked(self, obj) -> bool:
        framework = _framework_of(obj)
        return framework is not None and not framework.is_draft

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._locked(obj)

    def has_add_permission(self, request, obj=None):
        args = (request, obj) if isinstance(self, admin.options.InlineModelAdmin) else (request,)
        return super().has_add_permission(*args) and not self._locked(obj)


class DimensionInline(LockedWhenPublished, admin.TabularInline):
    model = Dimension
    fields = ["order", "code", "name", "weight"]
    extra = 0
    show_change_link = True


class ModelInline(LockedWhenPublished, admin.StackedInline):
    model = CooperationModel
    extra = 0
    show_change_link = True


class BandInline(LockedWhenPublished, admin.TabularInline):
    model = MaturityBand
    fields = ["min_score", "max_score", "label", "description"]
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(LockedWhenPublished, SimpleHistoryAdmin):
    list_display = ["title", "slug", "version", "status", "published_at"]
    list_filter = ["status", "slug"]
    search_fields = ["title", "slug"]
    readonly_fields = ["status", "published_at", "created_at"]
    inlines = [DimensionInline, ModelInline, BandInline]
    actions = ["publish", "new_version", "retire", "export_yaml"]

    @admin.action(description=_("Publish selected drafts"))
    def publish(self, request, queryset):
        for framework in queryset:
            try:
                framework_publish(framework=framework)
            except BankValidationError as exc:
                self.message_user(request, exc.as_text(), messages.ERROR)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, _("Published %s.") % framework, messages.SUCCESS)

    @admin.action(description=_("Create a new draft version (deep copy)"))
    def new_version(self, request, queryset):
        for framework in queryset:
            copy = framework_new_version(framework=framework)
            self.message_user(
                request,
                _("Created draft %(slug)s v%(version)s.")
                % {"slug": copy.slug, "version": copy.version},
                messages.SUCCESS,
            )

    @admin.action(description=_("Retire selected published versions"))
    def retire(self, request, queryset):
        for framework in queryset:
            try:
                framework_retire(framework=framework)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)

    @admin.action(description=_("Export to YAML (one framework)"))
    def export_yaml(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one framework to export."), messages.ERROR)
            return None
        framework = queryset.get()
        response = HttpResponse(
            dump_bank(framework_to_dict(framework)), content_type="application/yaml"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{framework.slug}-v{framework.version}.yaml"'
        )
        return response


class QuestionInline(LockedWhenPublished, admin.TabularInline):
    model = Question
    fields = ["order", "code", "text", "kind", "weight", "required", "allow_na"]
    extra = 0
    show_change_link = True


class RecommendationInline(LockedWhenPublished, admin.TabularInline):
    model = Recommendation
    fields = ["order", "below", "text"]
    extra = 0


@admin.register(Dimension)
class DimensionAdmin(LockedWhenPublished, SimpleHistoryAdmin):
    list_display = ["name", "code", "framework", "weight", "order"]
    list_filter = ["framework"]
    inlines = [QuestionInline, RecommendationInline]


class ChoiceInline(LockedWhenPublished, admin.TabularInline):
    model = Choice
    fields = ["order", "label", "score"]
    extra = 0


@admin.register(Question)
class QuestionAdmin(LockedWhenPublished, SimpleHistoryAdmin):
    list_display = ["code", "text", "kind", "weight", "dimension", "framework"]
    list_filter = ["framework", "kind", "dimension__code"]
    search_fields = ["code", "text"]
    list_select_related = ["dimension", "framework"]
    inlines = [ChoiceInline]


class ProfileInline(LockedWhenPublished, admin.TabularInline):
    model = ModelProfile
    fields = ["dimension", "target", "rationale"]
    extra = 0


@admin.register(CooperationModel)
class CooperationModelAdmin(LockedWhenPublished, SimpleHistoryAdmin):
    list_display = ["name", "code", "framework"]
    list_filter = ["framework"]
    inlines = [ProfileInline]


@admin.register(MaturityBand)
class MaturityBandAdmin(LockedWhenPublished, SimpleHistoryAdmin):
    list_display = ["label", "min_score", "max_score", "framework"]
    list_filter = ["framework"]


@admin.register(Recommendation)
class RecommendationAdmin(LockedWhenPublished, SimpleHistoryAdmin):
    list_display = ["dimension", "below", "text", "framework"]
    list_filter = ["framework"]


@admin.register(Choice)
class ChoiceAdmin(LockedWhenPublished, SimpleHistoryAdmin):
    list_display = ["label", "score", "question"]
    list_select_related = ["question__framework"]


@admin.register(ModelProfile)
class ModelProfileAdmin(LockedWhenPublished, SimpleHistoryAdmin):
    list_display = ["model", "dimension", "target"]
    list_select_related = ["model__framework", "dimension"]
