"""The bank editor, included under /banks/ with the namespace `banks`."""

from django.urls import path

from .views import banks, diff, editor

app_name = "banks"

bank = "<slug:slug>/v<int:version>/"

urlpatterns = [
    path("", banks.bank_list, name="list"),
    path("import/", banks.bank_import, name="import"),
    path("<slug:slug>/diff/", diff.bank_diff, name="diff"),
    path(bank, editor.bank_page, name="bank"),
    path(bank + "editor/", editor.editor_region, name="editor"),
    path(bank + "export.yaml", banks.bank_export, name="export"),
    path(bank + "new-version/", banks.bank_new_version, name="new_version"),
    path(bank + "publish/", banks.bank_publish, name="publish"),
    path(bank + "retire/", banks.bank_retire, name="retire"),
    path(bank + "discard/", banks.bank_discard, name="discard"),
    path(bank + "settings/", editor.bank_settings, name="settings"),
    path(bank + "add/<slug:part>/", editor.part_add, name="add"),
    path(bank + "<slug:parent>/<int:parent_pk>/add/<slug:part>/", editor.part_add, name="add_to"),
    path(bank + "<slug:part>/<int:pk>/edit/", editor.part_edit, name="part_edit"),
    path(bank + "<slug:part>/<int:pk>/delete/", editor.part_delete, name="part_delete"),
    path(bank + "<slug:part>/<int:pk>/move/", editor.part_move, name="part_move"),
]
