"""Deployment checks, login lockout, CSP and headers, XSS, CSRF, sessions, audit trail."""

import json
import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessment.answers import AnswerValue
from assessment.models import Answer, Assessment, StatusChange
from assessment.selectors import bank_spec

from .factories import PartnershipFactory, UserFactory, answer_all, login, save_answers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_check_deploy_is_clean_with_production_settings():
    env = {
        # Not the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE: deployment never sets it.
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "assessment.settings",
        "DEBUG": "0",
        "SECRET_KEY": "k" * 20 + "-Zq8#pL2@vN5!xR7$wT4%yU6^bM3&cJ9*",
        "ALLOWED_HOSTS": "ct.example.org",
        "SECURE_SSL_REDIRECT": "1",
        "SECURE_HSTS_SECONDS": "31536000",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_missing_secret_key_with_debug_off_fails_loudly(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(
        DJANGO_SETTINGS_MODULE="assessment.settings",
        DEBUG="0",
        SECRET_KEY_FILE=str(tmp_path / "absent"),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_commands_read_the_key_that_make_run_wrote(tmp_path):
    """README's `.venv/bin/python manage.py verify_report ...` is typed without the
    environment of `make run`: the key file it wrote is enough."""
    key_file = tmp_path / "secret_key"
    key_file.write_text("key-from-the-file-" + "z" * 40 + "\n")
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(
        DJANGO_SETTINGS_MODULE="assessment.settings", DEBUG="0", SECRET_KEY_FILE=str(key_file)
    )
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "key-from-the-file-" + "z" * 40


def test_malformed_boolean_setting_names_the_variable():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "assessment.settings", "DEBUG": "maybe"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert "DEBUG must be a boolean" in result.stderr


def _login_post(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_locks_out_after_repeated_failures_and_admin_can_unlock(client, owner):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login_post(client, "owner", "wrong").status_code == 200
    assert _login_post(client, "owner", "wrong").status_code == 429
    locked = _login_post(client, "owner", "pw")  # even the right password
    assert locked.status_code == 429
    assert b"Too many failed logins" in locked.content
    assert b"15 minutes" in locked.content
    # Another address is not locked out for the same user.
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert _login_post(other, "owner", "pw").status_code == 302
    # An admin unlocks by deleting the attempt in the admin.
    attempt = AccessAttempt.objects.get(username="owner", ip_address="127.0.0.1")
    admin = Client()
    admin.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    response = admin.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert _login_post(client, "owner", "pw").status_code == 302


def test_cool_off_time_comes_from_the_environment():
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    env = {
        # The browser tests allow async-unsafe calls for their own process only.
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "assessment.settings",
        "LOGIN_LOCKOUT_MINUTES": "3",
    }
    out = subprocess.run(
        [sys.executable, "-c", "import django;django.setup();from django.conf import settings;"
         "print(settings.AXES_COOLOFF_TIME)"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert out.strip() == "0:03:00"


PAGES = [
    "/",
    "/partnerships/",
    "/partnerships/new/",
    "/assessments/new/",
    "/assessments/{pk}/step/intelligence/",
    "/assessments/{pk}/review/",
    "/assessments/{pk}/results/",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_strict_headers_and_need_no_inline_script_or_style(
    client, assessment, owner, path
):
    login(client, owner)
    response = client.get(path.format(pk=assessment.pk))
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert not re.search(r"<style[\s>]", html), "inline style element"
    assert not re.search(r'\sstyle="', html), "inline style attribute"
    assert "cdn" not in html.lower() and "https://" not in html


def test_login_page_has_the_same_headers(client):
    response = client.get(reverse("login"))
    assert "unsafe-inline" not in response["Content-Security-Policy"]


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_hostile_text_is_escaped_on_every_page_and_in_exports(
    client, assessment, owner, reviewer, bank
):
    partnership = assessment.partnership
    partnership.name = "P " + HOSTILE
    partnership.countries = "A" + HOSTILE + ", B"
    partnership.description = HOSTILE
    partnership.save()
    Assessment.objects.filter(pk=assessment.pk).update(marking="M " + HOSTILE)
    answer_all(assessment, owner)
    assessment.answers.update(comment=HOSTILE)
    assessment.answers.filter(question__code="INT-09").update(text=HOSTILE)
    StatusChange.objects.create(
        assessment=assessment, from_status="draft", to_status="draft", by=owner, comment=HOSTILE
    )
    other = Assessment.objects.create(
        partnership=partnership, framework=bank, owner=owner, marking=HOSTILE
    )
    login(client, owner)
    paths = [p.format(pk=assessment.pk) for p in PAGES] + [
        f"/assessments/compare/?ids={assessment.pk}&ids={other.pk}",
        f"/partnerships/{partnership.pk}/trend/",
        f"/partnerships/{partnership.pk}/edit/",
    ]
    for path in paths:
        html = client.get(path).content.decode()
        assert "<script>alert" not in html, path
        assert "<img src=x" not in html, path
    assert "&lt;script&gt;alert" in client.get(paths[5]).content.decode()
    data = client.get(reverse("assessment:export_json", args=[assessment.pk]))
    assert data["Content-Type"] == "application/json"
    assert json.loads(data.getvalue())["partnership"]["name"] == "P " + HOSTILE


def test_csrf_is_enforced_on_every_write(assessment, owner, partnership):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    question = assessment.framework.questions.get(code="INT-09")
    writes = [
        (reverse("assessment:autosave", args=[assessment.pk, question.pk]),
         {f"q{question.pk}_value": "x", f"q{question.pk}_version": "0"}),
        (reverse("assessment:questionnaire", args=[assessment.pk]), {}),
        (reverse("assessment:submit", args=[assessment.pk]), {}),
        (reverse("assessment:partnership_edit", args=[partnership.pk]), {"name": "Changed"}),
        (reverse("logout"), {}),
    ]  # fmt: skip
    for url, data in writes:
        assert client.post(url, data).status_code == 403, url
    refused = client.post(writes[1][0], {})  # a page, not a fragment: the app's own page
    assert "security token is out of date" in refused.content.decode()
    assert 'href="/static/' in refused.content.decode()
    assert not Answer.objects.exists()
    partnership.refresh_from_db()
    assert partnership.name != "Changed"
    # and with the token from the page, the same write goes through
    page = client.get(reverse("assessment:questionnaire", args=[assessment.pk]))
    token = page.cookies["csrftoken"].value
    response = client.post(writes[0][0], writes[0][1], headers={"X-CSRFToken": token})
    assert response.status_code == 200


def test_sessions_expire_after_inactivity(client, owner):
    login(client, owner)
    assert client.get("/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and "login" in response.url


def test_activity_renews_the_session_at_most_once_a_minute(client, owner):
    login(client, owner)
    client.get("/")
    renewed = Session.objects.get().expire_date
    assert renewed > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    client.get("/")
    assert Session.objects.get().expire_date == renewed  # not written again within the minute
    session = client.session
    session["_refreshed_at"] -= 61
    session.save()
    Session.objects.update(expire_date=timezone.now() + timedelta(seconds=30))
    client.get("/")
    assert Session.objects.get().expire_date > renewed


def test_answer_changes_are_audited_with_the_user(client, assessment, owner, teammate, admin_user):
    question = bank_spec(assessment.framework).question_by_code["INT-09"]
    save_answers(assessment, owner, {"INT-09": AnswerValue(text="first")})
    login(client, teammate)
    client.post(
        reverse("assessment:autosave", args=[assessment.pk, question.id]),
        {f"q{question.id}_value": "second", f"q{question.id}_version": "1"},
    )
    answer = Answer.objects.get(question_id=question.id)
    history = list(answer.history.order_by("history_date"))
    assert [h.text for h in history] == ["first", "second"]
    assert history[-1].history_user == teammate
    login(client, admin_user)
    page = client.get(reverse("admin:assessment_answer_history", args=[answer.pk]))
    assert page.status_code == 200
    assert b"teammate" in page.content


def test_bank_edits_are_audited(client, bank, admin_user):
    """An edit in the bank editor is in the history with who made it."""
    from frameworks.services import framework_new_version

    draft = framework_new_version(framework=bank)
    login(client, admin_user)
    question = draft.questions.get(code="INT-01")
    url = reverse("banks:part_edit", args=[draft.slug, draft.version, "question", question.pk])
    response = client.post(
        url,
        {
            "code": question.code,
            "text": "Edited in the bank editor",
            "kind": question.kind,
            "dimension": question.dimension_id,
            "guidance": question.guidance,
            "weight": "1",
            "required": "on",
            "scored": "on",
            "references": "",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200, response.content[:2000]
    latest = question.history.latest()
    assert latest.text == "Edited in the bank editor"
    assert latest.history_user == admin_user


def test_own_team_partnership_is_listed(client, outsider, other_team):
    PartnershipFactory(name="Theirs", team=other_team, created_by=outsider)
    login(client, outsider)
    assert b"Theirs" in client.get("/partnerships/").content


def test_a_get_to_a_post_only_address_shows_the_apps_own_page(client, assessment, owner):
    login(client, owner)
    response = client.get(reverse("assessment:submit", args=[assessment.pk]))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert b"Not this way" in response.content and b"<nav" in response.content


def test_the_favicon_is_served_to_everyone(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.url.endswith("favicon.svg")
    icon = client.get(response.url)
    icon.close()  # a file response from whitenoise
    assert icon.status_code == 200
