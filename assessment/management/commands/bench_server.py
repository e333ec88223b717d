"""Load benchmark: a real gunicorn with 2 workers on 127.0.0.1, driven by wrk.

Fills the configured database (a throwaway one: its name must contain "bench";
`make bench-server` uses var/bench.sqlite3, `make bench-server-pg` a local
PostgreSQL database `ctbench`) with 10,000 assessments over 200 partnerships with
realistic answers, starts gunicorn with 2 workers, and measures each page with
wrk (Debian's `wrk`, a C load generator; Lua scripts carry the session cookie,
the CSRF token and, for saves, the answer versions):

  latency: p50/p95 with one connection (requests one after another);
  throughput: requests/s with --connections connections (one per wrk thread).

Pages: the dashboard, a 60-question questionnaire step (all answered), the whole
step saved with every answer changed, an autosave of one answer, the results page
and the PDF report. Each wrk thread saves into its own assessment, so saves never
conflict. All traffic stays on the loopback interface.
"""

import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from assessment.answers import AnswerValue
from assessment.models import Answer, Assessment, Partnership, Team
from assessment.roles import ANALYST
from assessment.selectors import bank_spec
from assessment.services import AnswerChange, answers_save
from frameworks.io import validate_bank
from frameworks.models import Framework
from frameworks.selectors import default_bank
from frameworks.services import framework_import

MODELS = ("bilateral", "multilateral", "informal")
WIDE = "ct-cooperation-wide"
STEP = "extended"
GOAL_RPS = 150  # issue 18: the questionnaire step with 2 gunicorn workers


def wide_bank() -> dict:
    """The default bank plus a 60-question dimension, for the questionnaire page."""
    _path, data = default_bank(version=1)
    data = dict(data, slug=WIDE, title="Benchmark bank (60-question step)")
    extra = {
        "code": STEP,
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
        model["profile"] = [*model["profile"], {"dimension": STEP, "target": 60,
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


@dataclass
class Page:
    name: str
    method: str
    path: str  # for saves: "step" or "autosave", each wrk thread on its own assessment


class Command(BaseCommand):
    help = "Fill a throwaway database and measure the app under gunicorn with wrk."

    def add_arguments(self, parser):
        parser.add_argument("--assessments", type=int, default=10_000)
        parser.add_argument("--partnerships", type=int, default=200)
        parser.add_argument("--seconds", type=float, default=5.0, help="per wrk run")
        parser.add_argument(
            "--connections", type=int, default=4, help="throughput runs: connections (threads)"
        )
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")

    def handle(self, *args, **opts):
        name = str(settings.DATABASES["default"]["NAME"])
        if "bench" not in Path(name).name:
            raise CommandError(
                f"Refusing to fill the database {name!r}: use `make bench-server` "
                "(var/bench.sqlite3) or `make bench-server-pg` (PostgreSQL database ctbench)."
            )
        wrk = shutil.which("wrk")
        if wrk is None:
            raise CommandError("wrk is missing: `apt-get install wrk` (the make targets do).")
        call_command("migrate", verbosity=0)
        user, target, writers = self._fill(
            opts["assessments"], opts["partnerships"], opts["connections"]
        )
        call_command("collectstatic", verbosity=0, interactive=False)
        vendor = connection.vendor
        connection.close()  # gunicorn's workers open their own
        port = _free_port()
        server = self._start_gunicorn(port, opts["workers"])
        try:
            self._measure(wrk, port, server.pid, user, target, writers, vendor, opts)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)

    # Data ------------------------------------------------------------------------------

    def _fill(self, n_assessments: int, n_partnerships: int, n_writers: int):
        User = get_user_model()
        user, _ = User.objects.get_or_create(username="bench-analyst")
        user.groups.add(Group.objects.get_or_create(name=ANALYST)[0])
        if Assessment.objects.count() < n_assessments:
            self._fill_assessments(user, n_assessments, n_partnerships)
        else:
            self.stdout.write(f"Database already holds {Assessment.objects.count()} assessments.")
        wide = Framework.objects.get(slug=WIDE)
        mine = list(Assessment.objects.filter(framework=wide, owner=user).order_by("pk"))
        partnership = Partnership.objects.order_by("pk").first()
        while len(mine) < 2 * n_writers + 1:
            mine.append(
                Assessment.objects.create(
                    partnership=partnership, framework=wide, owner=user, marking="UNCLASSIFIED"
                )
            )
        bank = bank_spec(wide)
        for a in mine:  # every question answered, so the step shows a full page
            answered = set(a.answers.values_list("question_id", flat=True))
            changes = [AnswerChange(q, _value(q, 0), 0) for q in bank.questions]
            answers_save(
                assessment=a,
                user=user,
                changes=[c for c in changes if c.question.id not in answered],
            )
        # One page to read, and for each wrk thread one to save the step and one to autosave.
        writers = {"step": mine[1 : n_writers + 1], "autosave": mine[n_writers + 1 :]}
        return user, mine[0], writers

    def _fill_assessments(self, user, n_assessments: int, n_partnerships: int) -> None:
        started = time.perf_counter()
        call_command("load_default", verbosity=0)
        default = Framework.objects.get(slug="ct-cooperation", version=1)
        if not Framework.objects.filter(slug=WIDE).exists():
            framework_import(data=wide_bank(), source="bench", publish=True)
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
        self.stdout.write(
            f"Filled {Assessment.objects.count()} assessments, {Answer.objects.count()} answers "
            f"over {n_partnerships} partnerships in {time.perf_counter() - started:.0f} s."
        )

    # Server ----------------------------------------------------------------------------

    def _start_gunicorn(self, port: int, workers: int) -> subprocess.Popen:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        server = subprocess.Popen(
            [str(gunicorn), "assessment.wsgi", "--workers", str(workers),
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--no-control-socket"],
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

    def _session(self, user) -> str:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return session.session_key

    # Measuring -------------------------------------------------------------------------

    def _measure(self, wrk, port, server_pid, user, target, writers, vendor, opts) -> None:
        base = f"http://127.0.0.1:{port}"
        step = f"/assessments/{target.pk}/step/{STEP}/"
        cookie = f"{settings.SESSION_COOKIE_NAME}={self._session(user)}"
        csrf, token = _csrf(base + step, cookie)
        cookie += f"; {settings.CSRF_COOKIE_NAME}={csrf}"
        scripts = Path(settings.BASE_DIR) / "var" / "bench-wrk"
        scripts.mkdir(parents=True, exist_ok=True)
        bank = bank_spec(target.framework)
        pages = [
            Page("dashboard", "GET", "/"),
            Page("questionnaire step (60 questions)", "GET", step),
            Page("save the step, every answer changed", "POST", "step"),
            Page("autosave one answer", "POST", "autosave"),
            Page("results", "GET", f"/assessments/{target.pk}/results/"),
            Page("PDF report", "GET", f"/assessments/{target.pk}/report.pdf"),
        ]
        seconds, conns = opts["seconds"], opts["connections"]
        self.stdout.write(
            f"\nServer benchmark: gunicorn, {opts['workers']} workers, {vendor} "
            f"({Assessment.objects.count():,} assessments); wrk {seconds:g} s per run; "
            f"latency with 1 connection, throughput with {conns}."
        )
        rows = []
        for n, page in enumerate(pages):
            script = scripts / f"page{n}.lua"
            runs = []
            for count in (1, conns):  # the script again each time: the versions moved on
                script.write_text(_lua(page, cookie, token, writers.get(page.path, []), bank))
                cpu = _server_cpu(server_pid)
                runs.append(_wrk(wrk, base, page, script, count, seconds))
                runs[-1]["cpu_ms"] = (_server_cpu(server_pid) - cpu) * 1000 / runs[-1]["requests"]
            rows.append((page.name, *runs))
            self.stdout.write(f"  {page.name}: done")
        head = ["page", "p50 ms", "p95 ms", "req/s (1 conn)", f"req/s ({conns} conns)",
                "server CPU ms/req", "errors"]  # fmt: skip
        table = [
            [
                name,
                f"{latency['p50_us'] / 1000:.1f}",
                f"{latency['p95_us'] / 1000:.1f}",
                f"{latency['rps']:.1f}",
                f"{load['rps']:.1f}",
                f"{load['cpu_ms']:.1f}",
                str(latency["errors"] + load["errors"]),
            ]
            for name, latency, load in rows
        ]
        self.stdout.write("")
        _table(self.stdout.write, head, table)
        step = rows[1][2]
        cpus = min(opts["workers"], os.cpu_count() or 1)
        self.stdout.write(
            f"\n  [{'met' if step['rps'] >= GOAL_RPS else 'MISSED'}] questionnaire step: "
            f"{step['rps']:.0f} requests/s with {opts['workers']} workers (goal {GOAL_RPS}); "
            f"its {step['cpu_ms']:.1f} ms of server CPU per request allow at most "
            f"{cpus * 1000 / step['cpu_ms']:.0f}/s on {cpus} otherwise idle CPUs. "
            f"Load average {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)."
        )
        errors = sum(latency["errors"] + load["errors"] for _n, latency, load in rows)
        if errors:
            raise CommandError(f"{errors} requests failed (HTTP >= 400 or socket errors)")


def _value(question, pick: int) -> AnswerValue:
    """A valid answer to any kind of question; `pick` chooses between two options."""
    if question.has_choices:
        return AnswerValue(choice_ids=frozenset([question.choices[pick % 2].id]))
    if question.kind == "numeric":
        return AnswerValue(number=question.min_value if question.min_value is not None else 1)
    return AnswerValue(text="Evidence.")


def _csrf(url: str, cookie: str) -> tuple[str, str]:
    """The CSRF cookie and the page's form token, as a browser gets them."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=60) as response:
        page = response.read().decode()
        set_cookie = response.headers.get("Set-Cookie", "")
    csrf = re.search(r"csrftoken=([^;]+)", set_cookie).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return csrf, token


def _wrk(wrk: str, base: str, page: Page, script: Path, conns: int, seconds: float) -> dict:
    """One wrk run; its Lua `done` prints the summary as JSON on the last line."""
    url = base + (page.path if page.method == "GET" else "/")  # saves: the script's paths
    result = subprocess.run(
        [wrk, f"--threads={conns}", f"--connections={conns}", f"--duration={seconds:g}s",
         "--timeout=30s", f"--script={script}", url],
        capture_output=True, text=True, timeout=seconds + 120, check=False,
    )  # fmt: skip
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode or not lines:
        raise CommandError(f"wrk failed on {page.name}:\n{result.stdout}\n{result.stderr}")
    summary = json.loads(lines[-1])
    summary["rps"] = summary["requests"] / (summary["duration_us"] / 1e6)
    summary["errors"] = summary["status_errors"] + summary["socket_errors"]
    return summary


LUA_DONE = """
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, '
    .. '"status_errors": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def _lua(page: Page, cookie: str, token: str, writers, bank) -> str:
    """The wrk script of a page: headers, and for saves one assessment per thread
    with the answer versions it has reached (read back from each response)."""
    lines = [
        f'wrk.method = "{page.method}"',
        f'wrk.headers["Cookie"] = {_lua_str(cookie)}',
        'wrk.headers["Host"] = "127.0.0.1"',
    ]
    if page.method == "GET":
        return "\n".join(lines) + "\n" + LUA_DONE
    lines += [
        f'wrk.headers["X-CSRFToken"] = {_lua_str(token)}',
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"',
        'wrk.headers["HX-Request"] = "true"' if page.path == "autosave" else "",
    ]
    questions = bank.dimension(STEP).questions
    targets = []
    for a in writers:
        versions = dict(
            Answer.objects.filter(assessment=a, question_id__in=[q.id for q in questions])
            .values_list("question_id", "version")
        )  # fmt: skip
        if page.path == "autosave":
            q = questions[0]
            bodies = [
                f"q{q.id}_value={q.choices[pick].id}&q{q.id}_comment=&q{q.id}_confidence="
                f"&q{q.id}_version=VERSION"
                for pick in (0, 1)
            ]
            path = f"/assessments/{a.pk}/questions/{q.id}/autosave/"
        else:
            bodies = [
                "action=save&"
                + "&".join(
                    f"q{q.id}_value={q.choices[pick].id}&q{q.id}_comment=&q{q.id}_confidence="
                    f"&q{q.id}_version=VERSION"
                    for q in questions
                )
                for pick in (0, 1)
            ]
            path = f"/assessments/{a.pk}/step/{STEP}/"
            if len(set(versions.values())) != 1:
                raise CommandError(f"assessment {a.pk}: the step's answers differ in version")
        current = versions[questions[0].id]
        # The stored answers hold choice 0 when the version is odd (see _fill), so each
        # request sends the other choice: every save changes every answer it sends.
        targets.append(
            f"{{path = {_lua_str(path)}, version = {current}, pick = {current % 2 + 1}, "
            f"bodies = {{{_lua_str(bodies[0])}, {_lua_str(bodies[1])}}}}}"
        )
    lines += [
        f"targets = {{{', '.join(targets)}}}",
        "next_id = 1",
        "function setup(thread)",
        "  thread:set('id', next_id)",
        "  next_id = next_id + 1",
        "end",
        "function init(args)",
        "  t = targets[id]",
        "end",
        "function request()",
        "  local body = t.bodies[t.pick]:gsub('VERSION', tostring(t.version))",
        "  return wrk.format(nil, t.path, nil, body)",
        "end",
        "function response(status, headers, body)",
        "  if status == 200 or status == 302 or status == 409 then",
        '    local v = body and body:match(\'_version" value="(%d+)"\')',
        "    t.version = v and tonumber(v) or t.version + 1",
        "    t.pick = 3 - t.pick",
        "  end",
        "end",
    ]
    return "\n".join(line for line in lines if line) + "\n" + LUA_DONE


def _lua_str(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid Lua string literal here (ASCII)


def _server_cpu(master: int) -> float:
    """CPU seconds used so far by gunicorn's master and workers (Linux /proc)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a process that just ended
        pid, ppid = int(stat.parent.name), int(fields[1])
        if master in (pid, ppid):
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _table(write, head: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    write("| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |")
    write("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        write("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
