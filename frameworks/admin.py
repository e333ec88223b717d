"""Question banks in the admin: read-only, with their history. Banks are edited in
the bank editor (/banks/), which calls the services; there is one way to edit a bank."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

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


class ReadOnlyBankAdmin(SimpleHistoryAdmin):
    """Shown, never changed here: the bank editor is the one way to edit a bank."""

    actions = None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Edit"))
    def editor_link(self, obj) -> str:
        framework = obj if isinstance(obj, Framework) else _framework_of(obj)
        url = reverse("banks:bank", args=[framework.slug, framework.version])
        return format_html('<a href="{}">{}</a>', url, _("Open in the bank editor"))


def _framework_of(obj) -> Framework:
    if isinstance(obj, Choice):
        return obj.question.framework
    if isinstance(obj, ModelProfile | ModelCondition):
        return obj.model.framework
    return obj.framework


@admin.register(Framework)
class FrameworkAdmin(ReadOnlyBankAdmin):
    list_display = ["title", "slug", "version", "status", "published_at", "editor_link"]
    list_filter = ["status", "slug"]
    search_fields = ["title", "slug"]
    readonly_fields = ["editor_link"]


@admin.register(Dimension)
class DimensionAdmin(ReadOnlyBankAdmin):
    list_display = ["name", "code", "framework", "weight", "order", "editor_link"]
    list_filter = ["framework"]
    list_select_related = ["framework"]
    readonly_fields = ["editor_link"]


@admin.register(Question)
class QuestionAdmin(ReadOnlyBankAdmin):
    list_display = ["code", "text", "kind", "weight", "dimension", "framework", "editor_link"]
    list_filter = ["framework", "kind", "dimension__code"]
    search_fields = ["code", "text"]
    list_select_related = ["dimension", "framework"]
    readonly_fields = ["editor_link"]


@admin.register(Choice)
class ChoiceAdmin(ReadOnlyBankAdmin):
    list_display = ["label", "score", "question"]
    list_select_related = ["question__framework"]


@admin.register(CooperationModel)
class CooperationModelAdmin(ReadOnlyBankAdmin):
    list_display = ["name", "code", "framework", "editor_link"]
    list_filter = ["framework"]
    list_select_related = ["framework"]
    readonly_fields = ["editor_link"]


@admin.register(ModelProfile)
class ModelProfileAdmin(ReadOnlyBankAdmin):
    list_display = ["model", "dimension", "target"]
    list_select_related = ["model__framework", "dimension"]


@admin.register(ModelCondition)
class ModelConditionAdmin(ReadOnlyBankAdmin):
    list_display = ["model", "question", "at_least"]
    list_select_related = ["model__framework", "question"]


@admin.register(RedLine)
class RedLineAdmin(ReadOnlyBankAdmin):
    list_display = ["question", "below", "cap", "framework"]
    list_select_related = ["question", "framework"]


@admin.register(MaturityBand)
class MaturityBandAdmin(ReadOnlyBankAdmin):
    list_display = ["label", "min_score", "max_score", "framework"]
    list_filter = ["framework"]


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyBankAdmin):
    list_display = ["dimension", "below", "text", "framework"]
    list_filter = ["framework"]
