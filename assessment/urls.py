from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import (
    bank_preview,
    dashboard,
    errors,
    exports,
    independent,
    move,
    partnerships,
    questionnaire,
    results,
    review,
)

assessment_patterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("partnerships/", partnerships.partnership_list, name="partnerships"),
    path("partnerships/new/", partnerships.partnership_create_view, name="partnership_new"),
    path("partnerships/<int:pk>/edit/", partnerships.partnership_edit, name="partnership_edit"),
    path("assessments/new/", dashboard.assessment_new, name="assessment_new"),
    path("assessments/<int:pk>/", questionnaire.questionnaire, name="questionnaire"),
    path(
        "assessments/<int:pk>/step/<slug:step>/",
        questionnaire.questionnaire,
        name="questionnaire_step",
    ),
    path(
        "assessments/<int:pk>/questions/<int:question_id>/autosave/",
        questionnaire.autosave,
        name="autosave",
    ),
    path("assessments/<int:pk>/independent/", independent.independent, name="independent"),
    path(
        "assessments/<int:pk>/respondents/<int:respondent_pk>/remove/",
        independent.remove_respondent,
        name="remove_respondent",
    ),
    path("assessments/<int:pk>/my-answers/", questionnaire.my_answers, name="my_answers"),
    path(
        "assessments/<int:pk>/my-answers/step/<slug:step>/",
        questionnaire.my_answers,
        name="my_answers_step",
    ),
    path(
        "assessments/<int:pk>/my-answers/questions/<int:question_id>/autosave/",
        questionnaire.my_autosave,
        name="my_autosave",
    ),
    path("assessments/<int:pk>/my-answers/review/", independent.my_set, name="my_set"),
    path("assessments/<int:pk>/my-answers/submit/", independent.submit_set, name="submit_set"),
    path(
        "assessments/<int:pk>/sets/<int:respondent_pk>/",
        independent.answer_set,
        name="answer_set",
    ),
    path("assessments/<int:pk>/agreement/", independent.agreement, name="agreement"),
    path("assessments/<int:pk>/reconcile/", independent.reconcile, name="reconcile"),
    path("assessments/<int:pk>/review/", review.review, name="review"),
    path("assessments/<int:pk>/submit/", review.submit, name="submit"),
    path("assessments/<int:pk>/decide/", review.decide, name="decide"),
    path("assessments/<int:pk>/results/", results.results, name="results"),
    path("assessments/<int:pk>/roadmap.json", results.roadmap_json, name="roadmap_json"),
    path("assessments/<int:pk>/what-if/", results.what_if, name="what_if"),
    path("assessments/<int:pk>/export.json", exports.export_json, name="export_json"),
    path("assessments/<int:pk>/answers.csv", exports.export_answers_csv, name="export_answers_csv"),
    path("assessments/<int:pk>/scores.csv", exports.export_scores_csv, name="export_scores_csv"),
    path("assessments/<int:pk>/report.pdf", exports.export_pdf, name="export_pdf"),
    path("assessments/compare/", results.compare_view, name="compare"),
    path("assessments.csv", exports.export_dashboard_csv, name="dashboard_csv"),
    path("partnerships/<int:pk>/trend/", results.trend, name="trend"),
    path("assessments/<int:pk>/move/", move.move_to_version, name="move"),
    # The bank editor's preview lives here: it shows questions with the questionnaire's
    # own partial and reads, which the frameworks app may not import.
    path("banks/<slug:slug>/v<int:version>/preview/", bank_preview.preview, name="bank_preview"),
    path(
        "banks/<slug:slug>/v<int:version>/preview/step/<slug:step>/",
        bank_preview.preview,
        name="bank_preview_step",
    ),
    path(
        "banks/<slug:slug>/v<int:version>/preview/question/<int:question_id>/",
        bank_preview.preview_question,
        name="bank_preview_question",
    ),
]

urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page says; send them to the real icon.
    path("favicon.ico", errors.favicon),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("banks/", include("frameworks.urls")),
    path("", include((assessment_patterns, "assessment"))),
]
