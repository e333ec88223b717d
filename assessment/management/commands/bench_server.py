"""Load benchmark against a real gunicorn on 127.0.0.1.

Fills the configured database (use a throwaway one: `make bench-server` points
DATABASE_URL at var/bench.sqlite3) with 10,000 assessments over 200 partnerships
with realistic answers, starts gunicorn with 2 workers, and prints p50/p95
latency for the dashboard, a 60-question questionnaire page, an autosave, the
results page and a PDF download, then the questionnaire page's requests per
second under concurrent clients. All traffic stays on the loopback interface.
"""

import http.client
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from assessment.models import Answer, Assessment, Partnership, Team
from frameworks.io import validate_bank
from frameworks.models import Framework
from frameworks.selectors import default_bank
from frameworks.services import framework_import

MODELS = ("bilateral", "multilateral", "informal")


def wide_bank() -> dict:
    """The default bank plus a 60-question dimension, for the questionnaire page."""
    _path, data = default_bank()
    data = dict(data, slug="ct-cooperation-wide", title="Benchmark bank (60-question step)")
    extra = {
        "code": "extended",
        "name": "Extended intelligence checklist",
        "questions": [
            {"code": f"EXT-{i:02d}", "text": f"Checklist item {i}: is this practice in place?",
             "kind": ["likert", "yesno", "single"][i % 3],
             "choices": [{"label": "No", "score": 0}, {"label": "Partly", "score": 1},
                         {"label": "Yes", "score": 2}] if i % 3 == 2 else None}
            for i in range(60)
        ],
    }  # fmt: skip
    dims = [*data["dimensions"], extra]
    for model in data["models"]:
        model["profile"] = [*model["profile"], {"dimension": "extended", "target": 60,
                                                 "rationale": "Benchmark."}]  # fmt: skip
    raw = {**data, "dimensions": dims}
    for dim in raw["dimensions"]:
        for q in dim["questions"]:
            if q.get("choices") is None:
                q.pop("choices", None)
            for key in ("min", "max"):
                if q.get(key) is None:
                    q.pop(key, None)
    return validate_bank(raw, source="bench")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


class Client:
    def __init__(self, port: int, cookies: dict[str, str]):
        self.port = port
        self.cookies = cookies
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Host": "127.0.0.1",
            **(headers or {}),
        }
        start = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - start
        if response.status >= 400:
            raise CommandError(f"{method} {path}: HTTP {response.status}\n{data[:500]!r}")
        return elapsed, data


class Command(BaseCommand):
    help = "Fill a throwaway database and measure the app under gunicorn (see module docstring)."

    def add_arguments(self, parser):
        parser.add_argument("--assessments", type=int, default=10_000)
        parser.add_argument("--partnerships", type=int, default=200)
        parser.add_argument("--requests", type=int, default=60, help="per measured page")
        parser.add_argument("--seconds", type=float, default=10.0, help="throughput run")
        parser.add_argument("--clients", type=int, default=4, help="throughput clients")

    def handle(self, *args, **opts):
        if not os.environ.get("DATABASE_URL", "").endswith("bench.sqlite3") and not os.environ.get(
            "BENCH_ALLOW_ANY_DATABASE"
        ):
            raise CommandError(
                "Refusing to fill this database. Run `make bench-server`, which uses "
                "var/bench.sqlite3, or set BENCH_ALLOW_ANY_DATABASE=1."
            )
        call_command("migrate", verbosity=0)
        user, assessment = self._fill(opts["assessments"], opts["partnerships"])
        call_command("collectstatic", verbosity=0, interactive=False)
        port = _free_port()
        server = self._start_gunicorn(port)
        try:
            self._measure(port, user, assessment, opts)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)

    def _fill(self, n_assessments: int, n_partnerships: int):
        User = get_user_model()
        user, _ = User.objects.get_or_create(username="bench-analyst")
        if Assessment.objects.count() >= n_assessments:
            self.stdout.write(f"Database already holds {Assessment.objects.count()} assessments.")
            wide = Framework.objects.get(slug="ct-cooperation-wide")
            return user, Assessment.objects.filter(framework=wide).first()
        started = time.perf_counter()
        call_command("load_default", verbosity=0)
        default = Framework.objects.get(slug="ct-cooperation", version=1)
        wide = framework_import(data=wide_bank(), source="bench", publish=True)
        team, _ = Team.objects.get_or_create(name="Bench team")
        team.members.add(user)
        rng = random.Random(1)
        partnerships = Partnership.objects.bulk_create(
            Partnership(
                name=f"Partnership {i:03d}",
                countries=f"Country {i}, Country {i + 1}",
                declared_model=MODELS[i % 3],
                team=team,
                created_by=user,
            )
            for i in range(n_partnerships)
        )
        statuses = ["draft", "draft", "submitted", "approved", "returned"]
        questions = list(default.questions.prefetch_related("choices"))
        through = Answer.choices.through
        batch = 500
        for offset in range(0, n_assessments, batch):
            chunk = Assessment.objects.bulk_create(
                Assessment(
                    partnership=partnerships[(offset + i) % n_partnerships],
                    framework=default,
                    owner=user,
                    status=rng.choice(statuses),
                    marking="UNCLASSIFIED",
                )
                for i in range(min(batch, n_assessments - offset))
            )
            answers, picks = [], []
            for a in chunk:
                for q in questions:
                    if rng.random() < 0.1:
                        continue  # some questions left unanswered
                    choices = list(q.choices.all())
                    single = rng.choice(choices) if choices and q.kind != "multi" else None
                    answers.append(
                        Answer(
                            assessment=a,
                            question=q,
                            choice=single,
                            number=rng.uniform(q.min_value, q.max_value)
                            if q.kind == "numeric"
                            else None,
                            text="Evidence." if q.kind == "text" else "",
                            updated_by=user,
                        )
                    )
                    if q.kind == "multi":
                        picks.append(rng.sample(choices, rng.randint(1, len(choices))))
                    else:
                        picks.append([])
            answers = Answer.objects.bulk_create(answers)
            through.objects.bulk_create(
                through(answer_id=answer.pk, choice_id=choice.pk)
                for answer, chosen in zip(answers, picks, strict=True)
                for choice in chosen
            )
        target = Assessment.objects.create(
            partnership=partnerships[0], framework=wide, owner=user, marking="UNCLASSIFIED"
        )
        self.stdout.write(
            f"Filled {Assessment.objects.count()} assessments, {Answer.objects.count()} answers "
            f"over {n_partnerships} partnerships in {time.perf_counter() - started:.0f} s."
        )
        return user, target

    def _start_gunicorn(self, port: int) -> subprocess.Popen:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        server = subprocess.Popen(
            [str(gunicorn), "assessment.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}",
             "--log-level", "warning", "--no-control-socket"],
            cwd=settings.BASE_DIR,
            env={**os.environ, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1", "SECURE_COOKIES": "0"},
        )  # fmt: skip
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return server
            except OSError:
                time.sleep(0.1)
        server.kill()
        raise CommandError("gunicorn did not start")

    def _session(self, user) -> dict[str, str]:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return {settings.SESSION_COOKIE_NAME: session.session_key}

    def _measure(self, port: int, user, assessment, opts) -> None:
        cookies = self._session(user)
        client = Client(port, cookies)
        n = opts["requests"]
        step = f"/assessments/{assessment.pk}/step/extended/"
        question = assessment.framework.questions.get(code="EXT-00")
        choices = list(question.choices.values_list("pk", flat=True))
        results = {}

        def timed(name, method, path, count, body_fn=None, headers=None):
            timings = []
            for i in range(count):
                body = body_fn(i) if body_fn else None
                elapsed, data = client.request(method, path, body, headers)
                timings.append(elapsed)
                if name == "autosave":
                    state["version"] = _version(data, question.pk)
            results[name] = timings

        client.cookies["csrftoken"] = _csrf_cookie(client, step)
        token = _page_token(client, step)
        # Start from the version the page shows, as the browser does.
        state = {"version": _version(client.request("GET", step)[1], question.pk)}
        form_headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": token,
            "Referer": f"http://127.0.0.1:{port}{step}",
        }
        timed("dashboard", "GET", "/", n)
        timed("questionnaire (60 questions)", "GET", step, n)
        timed(
            "autosave",
            "POST",
            f"/assessments/{assessment.pk}/questions/{question.pk}/autosave/",
            n,
            lambda i: (
                f"q{question.pk}_value={choices[i % len(choices)]}"
                f"&q{question.pk}_version={state['version']}"
            ),
            form_headers,
        )
        timed("results", "GET", f"/assessments/{assessment.pk}/results/", n)
        timed("pdf download", "GET", f"/assessments/{assessment.pk}/report.pdf", max(5, n // 6))
        self.stdout.write(f"{'page':32} {'p50 ms':>8} {'p95 ms':>8} {'n':>5}")
        for name, timings in results.items():
            self.stdout.write(
                f"{name:32} {statistics.median(timings) * 1000:8.1f} "
                f"{percentile(timings, 95) * 1000:8.1f} {len(timings):5d}"
            )
        self._throughput(port, cookies, step, opts["seconds"], opts["clients"])

    def _throughput(self, port, cookies, path, seconds, clients) -> None:
        done = []
        stop = time.perf_counter() + seconds

        def worker():
            c = Client(port, dict(cookies))
            count = 0
            while time.perf_counter() < stop:
                c.request("GET", path)
                count += 1
            done.append(count)

        threads = [threading.Thread(target=worker) for _ in range(clients)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
        self.stdout.write(
            f"questionnaire page throughput, 2 gunicorn workers, {clients} clients: "
            f"{sum(done) / elapsed:.1f} requests/s ({sum(done)} in {elapsed:.1f} s)"
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _csrf_cookie(client: Client, path: str) -> str:
    client.conn.request("GET", path, headers={"Cookie": "; ".join(
        f"{k}={v}" for k, v in client.cookies.items()), "Host": "127.0.0.1"})  # fmt: skip
    response = client.conn.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie") or ""
    match = re.search(r"csrftoken=([^;]+)", cookie)
    return match.group(1) if match else client.cookies.get("csrftoken", "")


def _version(html: bytes, question_id: int) -> int:
    match = re.search(rf'name="q{question_id}_version"[^>]*value="(\d+)"'.encode(), html)
    return int(match.group(1))


def _page_token(client: Client, path: str) -> str:
    _t, page = client.request("GET", path)
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
