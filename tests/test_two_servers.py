"""Two app servers, one PostgreSQL database: what a load balancer in front of several
gunicorn instances relies on. Two real gunicorn processes (one worker each, so each
has its own per-process bank cache) serve the test database; a browser's requests
alternate between them over real HTTP, with one cookie jar for the site, as behind
a load balancer. PostgreSQL only: CI's PostgreSQL pass runs it.
"""

import hashlib
import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection

from assessment.models import Answer, Assessment, FrozenReport
from assessment.selectors import bank_spec
from frameworks.models import Framework, Question
from frameworks.services import framework_import

from .factories import answer_all, small_bank_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
SHARED_SECRET_KEY = "two-servers-one-key-" + "x" * 40


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def _start(port: int, env: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "assessment.wsgi", "--workers", "1",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "120",
         "--no-control-socket"],  # two on one machine: no shared ~/.gunicorn/gunicorn.ctl
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/accounts/login/")
            ok = conn.getresponse().status == 200
            conn.close()
            if ok:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    server.wait()
    pytest.fail(f"gunicorn on port {port} did not start")


@pytest.fixture(scope="module")
def servers(django_db_setup, django_db_blocker):
    """Server A and server B: same code, same SECRET_KEY, same database."""
    env = {
        **os.environ,
        # The test settings: the real ones with a fast password hasher, as the test users have.
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(),
        "DB_CONN_MAX_AGE": "0",
        "SECRET_KEY": SHARED_SECRET_KEY,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    ports = [_free_port(), _free_port()]
    started = []
    try:
        for port in ports:
            started.append(_start(port, env))
        yield {"A": ports[0], "B": ports[1]}
    finally:
        for server in started:
            server.terminate()
        for server in started:
            server.wait(timeout=30)


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode()


class Browser:
    """One person's browser. The two servers are one site behind a load balancer, so
    the cookies are shared between them; each request names the server it goes to."""

    def __init__(self, servers: dict[str, int]):
        self.servers = servers
        self.cookies: dict[str, str] = {}

    def request(self, server: str, method: str, path: str, data=None, headers=None) -> Response:
        body = urlencode(data or {}, doseq=True) if method == "POST" else None
        all_headers = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.servers[server], timeout=120)
        try:
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            result = Response(response.status, response.headers, response.read())
        finally:
            conn.close()
        for header in result.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return result

    def get(self, server: str, path: str) -> Response:
        return self.request(server, "GET", path)

    def post(self, server: str, path: str, data: dict, headers=None) -> Response:
        if "csrftoken" not in self.cookies:
            self.get(server, "/accounts/login/")
        form = {"csrfmiddlewaretoken": self.cookies["csrftoken"], **data}
        return self.request(server, "POST", path, form, headers)

    def login(self, server: str, username: str, password: str = "pw") -> Response:
        return self.post(server, "/accounts/login/", {"username": username, "password": password})


@pytest.fixture
def browser(servers):
    return lambda: Browser(servers)


def test_a_login_on_one_server_is_valid_on_the_other(browser, owner):
    b = browser()
    assert b.login("A", "owner").status == 302
    page = b.get("B", "/")
    assert page.status == 200
    assert "owner" in page.text
    # Logging out on B ends the session on A as well.
    assert b.post("B", "/accounts/logout/", {}).status == 302
    assert b.get("A", "/").status == 302


def test_a_lockout_recorded_through_one_server_holds_on_the_other(browser, owner):
    b = browser()
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [b.login("AB"[i % 2], "owner", "wrong").status for i in range(limit)]
    assert statuses == [200] * (limit - 1) + [429]
    for server in ("A", "B"):  # even the right password, on either server
        locked = b.login(server, "owner", "pw")
        assert locked.status == 429
        assert "Too many failed logins" in locked.text


def test_two_stale_autosaves_through_different_servers_save_one_and_refuse_the_other(
    browser, assessment, owner, teammate
):
    question = bank_spec(assessment.framework).question_by_code["INT-09"]
    tabs = {"A": browser(), "B": browser()}
    tabs["A"].login("A", "owner")
    tabs["B"].login("B", "teammate")
    step = f"/assessments/{assessment.pk}/step/intelligence/"
    for name, tab in tabs.items():  # both pages show the question at version 0
        assert f'id="q{question.id}_version" value="0"' in tab.get(name, step).text
    url = f"/assessments/{assessment.pk}/questions/{question.id}/autosave/"
    barrier = threading.Barrier(2)
    outcomes = {}

    def autosave(name):
        tab = tabs[name]
        data = {f"q{question.id}_value": f"typed on {name}", f"q{question.id}_version": "0"}
        barrier.wait()
        outcomes[name] = tab.post(name, url, data, headers={"HX-Request": "true"})

    threads = [threading.Thread(target=autosave, args=(name,)) for name in tabs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status for r in outcomes.values()) == [200, 409]
    winner = next(name for name, r in outcomes.items() if r.status == 200)
    loser = "B" if winner == "A" else "A"
    stored = Answer.objects.get(assessment=assessment, question_id=question.id)
    assert (stored.text, stored.version) == (f"typed on {winner}", 1)
    # The refused one is shown the newer value and takes its version.
    refused = outcomes[loser].text
    assert f"typed on {winner}" in refused
    assert f'name="q{question.id}_version" value="1"' in refused


def _bank_action(b: Browser, server: str, action: str, framework: Framework) -> None:
    """Publish, retire or copy a version through the bank editor (/banks/)."""
    path = f"/banks/{framework.slug}/v{framework.version}/{action}/"
    response = b.post(server, path, {})
    assert response.status == 302, response.text[:500]


def _offered(b: Browser, server: str, framework: Framework) -> bool:
    page = b.get(server, "/assessments/new/").text
    choices = re.search(r'<select name="framework".*?</select>', page, re.S).group(0)
    return f'<option value="{framework.pk}"' in choices


def _start_on(b: Browser, server: str, partnership, framework: Framework) -> Response:
    return b.post(
        server,
        "/assessments/new/",
        {"partnership": str(partnership.pk), "framework": str(framework.pk), "marking": "U"},
    )


def test_a_bank_published_through_one_server_is_used_by_the_other(
    browser, owner, partnership, admin_user
):
    """The per-process bank cache never serves a bank other than the one in the
    database: drafts are never cached, a published version never changes, and a
    changed bank is a new version (a new cache key); retiring is read from the row."""
    v1 = framework_import(data=small_bank_data(slug="shared"), source="test")
    admin, analyst = browser(), browser()
    assert admin.login("A", admin_user.username).status == 302
    assert analyst.login("B", "owner").status == 302
    assert not _offered(analyst, "B", v1)  # a draft

    _bank_action(admin, "A", "publish", v1)
    assert _offered(analyst, "B", v1)
    started = _start_on(analyst, "B", partnership, v1)
    assert started.status == 302
    first = Assessment.objects.get(framework=v1)
    v1_text = Question.objects.filter(framework=v1).order_by("pk").first().text
    assert v1_text in analyst.get("B", f"/assessments/{first.pk}/step/d0/").text

    # A changed bank is a new version: copied and published through A, edited in between.
    _bank_action(admin, "A", "new-version", v1)
    v2 = Framework.objects.get(slug="shared", version=2)
    Question.objects.filter(framework=v2, code="d0-000").update(text="Reworded in version 2")
    _bank_action(admin, "A", "publish", v2)
    assert _start_on(analyst, "B", partnership, v2).status == 302
    second = Assessment.objects.get(framework=v2)
    assert "Reworded in version 2" in analyst.get("B", f"/assessments/{second.pk}/step/d0/").text
    old_page = analyst.get("B", f"/assessments/{first.pk}/step/d0/").text
    assert v1_text in old_page and "Reworded in version 2" not in old_page

    # Retired through A: B offers it no more and refuses new assessments on it.
    _bank_action(admin, "A", "retire", v1)
    assert not _offered(analyst, "B", v1)
    assert _start_on(analyst, "B", partnership, v1).status == 400
    assert Assessment.objects.filter(framework=v1).count() == 1


def test_a_report_frozen_through_one_server_downloads_identically_from_the_other(
    browser, assessment, owner, reviewer
):
    answer_all(assessment, owner)
    analyst, boss = browser(), browser()
    analyst.login("A", "owner")
    boss.login("B", "reviewer")
    assert analyst.post("A", f"/assessments/{assessment.pk}/submit/", {}).status == 302
    # Approving through B freezes the report there (rendered once, stored in the database).
    decided = boss.post("B", f"/assessments/{assessment.pk}/decide/", {"decision": "approve"})
    assert decided.status == 302
    frozen = FrozenReport.objects.get(assessment=assessment)
    path = f"/assessments/{assessment.pk}/report.pdf"
    downloads = {server: analyst.get(server, path) for server in ("A", "B")}
    for response in downloads.values():
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.body == bytes(frozen.pdf)
    assert downloads["A"].headers["ETag"] == downloads["B"].headers["ETag"]
    assert hashlib.sha256(downloads["A"].body).hexdigest() == frozen.pdf_sha256
