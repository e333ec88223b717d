from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Answer,
    Assessment,
    FrozenReport,
    Partnership,
    StatusChange,
    Team,
    VersionMove,
)


class ReadOnly:
    """Admin mixin: shown, never added, changed or deleted here (the app's own
    workflow writes these, with its checks)."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name"]
    filter_horizontal = ["members"]


@admin.register(Partnership)
class PartnershipAdmin(SimpleHistoryAdmin):
    list_display = ["name", "countries", "declared_model", "team"]
    list_filter = ["declared_model", "team"]
    search_fields = ["name", "countries"]


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    readonly_fields = ["from_status", "to_status", "by", "at", "comment"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["partnership", "framework", "owner", "status", "updated_at"]
    list_filter = ["status", "framework"]
    list_select_related = ["partnership", "framework", "owner"]
    readonly_fields = ["framework", "status", "submitted_at"]
    inlines = [StatusChangeInline]


@admin.register(Answer)
class AnswerAdmin(ReadOnly, SimpleHistoryAdmin):
    """Read-only: answers are written only through the questionnaire and the
    reconciliation, which check the status, the bank, the versions and the rules."""

    list_display = ["assessment", "question", "respondent", "is_na", "version", "updated_by",
                    "updated_at"]  # fmt: skip
    list_select_related = ["assessment__partnership", "question", "updated_by", "respondent__user"]


@admin.register(FrozenReport)
class FrozenReportAdmin(ReadOnly, admin.ModelAdmin):
    """Read-only: a frozen report is written once, on approval, and never changes."""

    list_display = [
        "assessment", "short_sha256", "methodology_version", "app_version", "created_at",
    ]  # fmt: skip
    list_select_related = ["assessment__partnership"]
    fields = [
        "assessment", "snapshot_sha256", "bank_sha256", "pdf_sha256", "pdf_size",
        "methodology_version", "app_version", "created_at",
    ]  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("pdf", "snapshot_json", "bank_yaml")

    @admin.display(description=_("snapshot"))
    def short_sha256(self, obj) -> str:
        return obj.snapshot_sha256[:12]

    @admin.display(description=_("PDF size"))
    def pdf_size(self, obj) -> str:
        return f"{len(obj.pdf) // 1024} KiB"


@admin.register(VersionMove)
class VersionMoveAdmin(ReadOnly, admin.ModelAdmin):
    """Moves to a newer bank version, with the answers they replaced: a record, never edited."""

    list_display = ["assessment", "from_framework", "to_framework", "by", "at"]
    list_select_related = ["assessment__partnership", "from_framework", "to_framework", "by"]
    readonly_fields = [
        "assessment", "from_framework", "to_framework", "by", "at", "carried", "dropped",
        "previous_answers",
    ]  # fmt: skip
