"""The questionnaire step measured side by side with the peer survey app (issue 18).

In-process, as the peer's `bench.py` measures itself: Django's test Client
(without `setup_test_environment`, whose template instrumentation inflates render
time), DEBUG off, a throwaway SQLite file (`var/bench-questionnaire.sqlite3`,
rebuilt on every run), one logged-in analyst. Two banks, each one step of N
required single-choice questions with 5 choices (N = 60, and 10 to show that the
query counts do not grow with N). Requests:

  GET the step with every question answered;
  POST the whole step, first save (a fresh assessment each time);
  POST the whole step with every answer changed;
  POST the whole step unchanged (must write nothing);
  autosave of one answer (htmx), changed each time.

The peer (django-survey-and-report 1.5.0, set up by ../shared/peer-survey/setup.sh)
runs in its own process in `--serve` mode and is driven in lock-step: one request
here, the matching one there, so both see the same machine load. The table shows
the numbers from issue 18 (before), this run's, the peer's and the ratio.
`make bench-peer` runs it.
"""

import gc
import json
import os
import statistics
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.answers import AnswerValue
from assessment.models import Answer, Assessment, Partnership, Team
from assessment.roles import ANALYST
from assessment.scoring import QuestionSpec
from assessment.selectors import bank_spec
from assessment.services import AnswerChange, answers_save, assessment_create
from frameworks.io import MODEL_CODES, validate_bank
from frameworks.services import framework_import

DB_NAME = "bench-questionnaire.sqlite3"
SIZES = (10, 60)
CHOICES = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]
PEER_SETUP = "bash ../shared/peer-survey/setup.sh"

# (key, label, the peer's matching request or None)
REQUESTS = [
    ("get", "GET the step, all answered", "get"),
    ("post_first", "POST the whole step, first save", "post"),
    ("post_changed", "POST the whole step, every answer changed", "post"),
    ("post_unchanged", "POST the whole step, unchanged", "post"),
    ("autosave", "autosave one answer", None),
]
# Issue 18, 60-question step: (ms, queries) of this app before, and of the peer.
BEFORE = {
    "get": (48, 12),
    "post_first": (396, 971),
    "post_changed": (557, 1152),
    "autosave": (24, 30),
}
PEER_BEFORE = {"get": (94, 66), "post": (128, 247)}
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def percentile(values: list[float], pct: float) -> float:
    """Nearest rank, as the peer's bench computes it."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(pct / 100.0 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def bench_bank(n: int) -> dict:
    """One step of n required single-choice questions with 5 choices, like the peer's."""
    return validate_bank(
        {
            "slug": f"bench-step-{n}",
            "version": 1,
            "title": f"Benchmark: one step of {n} questions",
            "dimensions": [
                {
                    "code": "step",
                    "name": f"{n} questions",
                    "questions": [
                        {
                            "code": f"Q-{i:03d}",
                            "text": f"Question {i + 1}: how much do you agree?",
                            "kind": "single",
                            "choices": [
                                {"label": label, "score": score}
                                for score, label in enumerate(CHOICES)
                            ],
                        }
                        for i in range(n)
                    ],
                }
            ],
            "models": [
                {
                    "code": code,
                    "name": code.title(),
                    "description": "Benchmark model.",
                    "strengths": "-",
                    "weaknesses": "-",
                    "profile": [{"dimension": "step", "target": 50, "rationale": "-"}],
                }
                for code in MODEL_CODES
            ],
            "maturity_bands": [
                {"min": 0, "max": 50, "label": "Low"},
                {"min": 50, "max": 100, "label": "High"},
            ],
        },
        source="bench",
    )


@dataclass
class Step:
    """One bank of n questions, its assessments, and the answer versions sent back."""

    n: int
    questions: list[QuestionSpec]
    answered: Assessment
    changing: Assessment
    autosaved: Assessment
    fresh: list[Assessment]
    versions: int = 1  # of every answer of `changing`
    pick: int = 0  # which choice `changing` holds: question i has choice (i + pick) % 5
    autosave_version: int = 1
    autosave_pick: int = 0

    def url(self, assessment: Assessment) -> str:
        return reverse("assessment:questionnaire_step", args=[assessment.pk, "step"])

    def payload(self, pick: int, version: int) -> dict[str, str]:
        data = {"action": "save"}
        for i, q in enumerate(self.questions):
            data[f"q{q.id}_value"] = str(q.choices[(i + pick) % len(CHOICES)].id)
            data[f"q{q.id}_version"] = str(version)
            data[f"q{q.id}_comment"] = ""
            data[f"q{q.id}_confidence"] = ""
        return data


@dataclass
class Measured:
    ms: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # this process's CPU time, ms
    queries: dict[int, int] = field(default_factory=dict)  # by N
    writes: dict[int, int] = field(default_factory=dict)  # by N
    detail: dict[int, str] = field(default_factory=dict)


class Peer:
    """The peer's bench.py in --serve mode: one request per line, in lock-step."""

    def __init__(self, python: Path, script: Path, *, login: bool):
        args = [str(python), str(script), "--serve", "--sizes", ",".join(map(str, SIZES))]
        if login:
            args.append("--login")
        self.process = subprocess.Popen(
            args,
            cwd=settings.BASE_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            # The peer is its own Django project: none of this app's settings.
            env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        )
        for line in self.process.stdout:
            if line.startswith("ready "):
                self.ready = json.loads(line[len("ready ") :])
                return
        raise CommandError(f"the peer did not start (exit code {self.process.wait()})")

    def ask(self, line: str) -> str:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise CommandError(f"the peer stopped answering at {line!r}")
        return answer

    def request(self, op: str, n: int) -> float:
        return float(self.ask(f"{op} {n}"))

    def queries(self, op: str, n: int) -> int:
        return json.loads(self.ask(f"q {op} {n}"))["queries"]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.write("quit\n")
            self.process.stdin.close()
            self.process.wait(timeout=30)


class Command(BaseCommand):
    help = "The questionnaire step against the peer survey app, in one run (see the docstring)."

    def add_arguments(self, parser):
        parser.add_argument("--warmup", type=int, default=10)
        parser.add_argument("--get-reps", type=int, default=100)
        parser.add_argument("--post-reps", type=int, default=40)
        parser.add_argument("--autosave-reps", type=int, default=100)
        parser.add_argument(
            "--peer-login",
            action="store_true",
            help="the peer with a logged-in respondent (GET loads the earlier answers, POST "
            "updates them) instead of issue 18's anonymous respondent",
        )
        parser.add_argument("--no-peer", action="store_true", help="measure this app alone")
        parser.add_argument(
            "--peer-dir",
            type=Path,
            default=settings.BASE_DIR.parent / "shared" / "peer-survey",
            help="where the peer's bench.py is (default ../shared/peer-survey)",
        )
        parser.add_argument(
            "--peer-python",
            type=Path,
            default=settings.BASE_DIR / "var" / "peer" / "venv" / "bin" / "python",
        )

    def handle(self, *args, **opts):
        db = settings.DATABASES["default"]
        if db["ENGINE"] != "django.db.backends.sqlite3" or Path(db["NAME"]).name != DB_NAME:
            raise CommandError(
                f"Refusing to use this database: run `make bench-peer`, which points "
                f"DATABASE_URL at var/{DB_NAME} (a throwaway, rebuilt on every run)."
            )
        if settings.DEBUG:
            raise CommandError("Run with DEBUG=0, as the peer is measured.")
        peer = None
        if not opts["no_peer"]:
            script = opts["peer_dir"] / "bench.py"
            missing = next((p for p in (script, opts["peer_python"]) if not p.exists()), None)
            if missing is not None:
                raise CommandError(
                    f"The peer is not set up ({missing} is missing). From the project root, "
                    "with ../shared/peer-survey present, run:"
                    f"\n    {PEER_SETUP}\nthen `make bench-peer` again; or pass --no-peer to "
                    "measure this app alone."
                )
        self.load = os.getloadavg()
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db['NAME']}{suffix}").unlink(missing_ok=True)
        self.stdout.write(f"Building var/{DB_NAME} ...")
        call_command("migrate", verbosity=0)
        reps = {
            "get": opts["get_reps"],
            "post_first": opts["post_reps"],
            "post_changed": opts["post_reps"],
            "post_unchanged": opts["post_reps"],
            "autosave": opts["autosave_reps"],
        }
        user, steps = self._fill(opts["warmup"] + opts["post_reps"] + 2)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        if not opts["no_peer"]:
            self.stdout.write("Starting the peer ...")
            peer = Peer(opts["peer_python"], script, login=opts["peer_login"])
        try:
            mine, theirs = self._measure(client, steps, peer, reps, opts["warmup"])
            cycles = self._cycles(client, steps[60])
        finally:
            if peer is not None:
                peer.close()
        self._check_stored(steps)
        self._print(mine, theirs, cycles, opts, reps)

    # Set-up ----------------------------------------------------------------------------

    def _fill(self, fresh: int) -> tuple:
        user = get_user_model().objects.create(username="bench-analyst")
        user.groups.add(Group.objects.get_or_create(name=ANALYST)[0])
        team = Team.objects.create(name="Bench team")
        team.members.add(user)
        partnership = Partnership.objects.create(
            name="Bench partnership",
            countries="Country A, Country B",
            declared_model="bilateral",
            team=team,
            created_by=user,
        )
        steps = {}
        for n in SIZES:
            framework = framework_import(data=bench_bank(n), source="bench", publish=True)
            questions = list(bank_spec(framework).questions)

            def start(framework=framework):
                return assessment_create(
                    user=user, partnership=partnership, framework=framework, marking="BENCH"
                )

            answered, changing, autosaved = start(), start(), start()
            for assessment in (answered, changing, autosaved):
                answers_save(
                    assessment=assessment,
                    user=user,
                    changes=[
                        AnswerChange(q, AnswerValue(choice_ids=frozenset([q.choices[i % 5].id])), 0)
                        for i, q in enumerate(questions)
                    ],
                )
            steps[n] = Step(
                n=n,
                questions=questions,
                answered=answered,
                changing=changing,
                autosaved=autosaved,
                fresh=[start() for _ in range(fresh)],
            )
        return user, steps

    # Requests --------------------------------------------------------------------------

    def _request(self, client: Client, key: str, step: Step):
        """One request of the kind `key`; checks the answer and keeps the versions."""
        messages = client.cookies.pop("messages", None)  # the browser's GET would read them
        del messages
        if key == "get":
            response = client.get(step.url(step.answered))
            expect = 200
        elif key == "post_first":
            response = client.post(step.url(step.fresh.pop()), step.payload(0, 0))
            expect = 302
        elif key == "post_changed":
            pick = (step.pick + 1) % 5
            response = client.post(step.url(step.changing), step.payload(pick, step.versions))
            expect = 302
            if response.status_code == expect:
                step.pick, step.versions = pick, step.versions + 1
        elif key == "post_unchanged":
            response = client.post(step.url(step.changing), step.payload(step.pick, step.versions))
            expect = 302
        elif key == "autosave":
            q = step.questions[0]
            pick = (step.autosave_pick + 1) % 5
            response = client.post(
                reverse("assessment:autosave", args=[step.autosaved.pk, q.id]),
                {
                    f"q{q.id}_value": str(q.choices[pick].id),
                    f"q{q.id}_version": str(step.autosave_version),
                    f"q{q.id}_comment": "",
                    f"q{q.id}_confidence": "",
                },
                headers={"HX-Request": "true"},
            )
            expect = 200
            if response.status_code == expect:
                step.autosave_pick, step.autosave_version = pick, step.autosave_version + 1
        if response.status_code != expect:
            raise CommandError(
                f"{key} (N={step.n}): HTTP {response.status_code}, expected {expect}\n"
                f"{response.content[:800]!r}"
            )
        if key == "get":
            radios = response.content.count(b'type="radio"')
            if radios != step.n * len(CHOICES):
                raise CommandError(f"GET (N={step.n}) shows {radios} radio buttons")

    def _measure(self, client, steps, peer, reps, warmup):
        mine = {key: {n: Measured() for n in SIZES} for key, _label, _peer in REQUESTS}
        # The peer's requests made in turn with each of ours, kept under our request's key.
        theirs = {key: {n: Measured() for n in SIZES} for key, _label, _peer in REQUESTS}
        for key, label, peer_op in REQUESTS:
            self.stdout.write(f"  {label} ...")
            for n in SIZES:
                step = steps[n]
                for _ in range(warmup):
                    self._request(client, key, step)
                    if peer and peer_op:
                        peer.request(peer_op, n)
                for _ in range(reps[key]):
                    start, cpu = time.perf_counter(), time.process_time()
                    self._request(client, key, step)
                    mine[key][n].ms.append((time.perf_counter() - start) * 1000)
                    mine[key][n].cpu.append((time.process_time() - cpu) * 1000)
                    if peer and peer_op:
                        theirs[key][n].ms.append(peer.request(peer_op, n))
                # Counted after a GET, so a due session refresh is not in the count.
                self._request(client, "get", step)
                with CaptureQueriesContext(connection) as ctx:
                    self._request(client, key, step)
                sqls = [q["sql"] for q in ctx.captured_queries]
                mine[key][n].queries[n] = len(sqls)
                mine[key][n].writes[n] = sum(s.lstrip().upper().startswith(WRITES) for s in sqls)
                mine[key][n].detail[n] = _breakdown(sqls)
                if peer and peer_op:
                    theirs[key][n].queries[n] = peer.queries(peer_op, n)
        return mine, theirs

    def _cycles(self, client, step: Step) -> dict[str, float]:
        """Objects each request leaves in reference cycles (only the cyclic GC frees them)."""
        out = {}
        for key in ("get", "post_changed", "autosave"):
            self._request(client, key, step)
            gc.collect()
            gc.disable()
            try:
                for _ in range(20):
                    self._request(client, key, step)
                out[key] = gc.collect() / 20
            finally:
                gc.enable()
        return out

    def _check_stored(self, steps) -> None:
        """The saves really happened: every answer holds the last choice and version."""
        for step in steps.values():
            stored = Answer.objects.filter(assessment=step.changing)
            expected = {
                q.id: q.choices[(i + step.pick) % 5].id for i, q in enumerate(step.questions)
            }
            got = {a.question_id: a.choice_id for a in stored}
            versions = {a.version for a in stored}
            if got != expected or versions != {step.versions}:
                raise CommandError(f"N={step.n}: the stored answers are not what was posted")

    # Output ----------------------------------------------------------------------------

    def _print(self, mine, theirs, cycles, opts, reps) -> None:
        w = self.stdout.write
        n = 60
        peer_mode = "logged-in" if opts["peer_login"] else "anonymous (as in issue 18)"
        w("")
        w(
            f"Questionnaire step of {n} questions: in-process test client, DEBUG off, SQLite "
            f"file, logged-in analyst; p50 (p95) ms over {reps['get']} GETs, "
            f"{reps['post_first']} POSTs, {reps['autosave']} autosaves after "
            f"{opts['warmup']} warm-ups each. Load average {self.load[0]:.1f} at the start, "
            f"{os.getloadavg()[0]:.1f} at the end ({os.cpu_count()} CPUs)."
        )
        if not opts["no_peer"]:
            w(
                f"Peer: django-survey-and-report 1.5.0, {peer_mode} respondent, in lock-step "
                "with this app (one request each in turn). Ratio = this app ÷ peer (p50)."
            )
        w("")
        head = ["request", "before ms", "before q", "now ms", "now CPU ms", "now q", "peer ms",
                "peer q", "ratio", "before ratio"]  # fmt: skip
        rows = []
        for key, label, peer_op in REQUESTS:
            m = mine[key][n]
            before = BEFORE.get(key)
            row = [
                label,
                f"{before[0]}" if before else "–",
                f"{before[1]:,}" if before else "–",
                _p50_p95(m.ms),
                f"{statistics.median(m.cpu):.1f}",
                f"{m.queries[n]:,}",
            ]
            p = theirs[key][n]
            if p and p.ms:
                peer_before = PEER_BEFORE[peer_op]
                row += [
                    _p50_p95(p.ms),
                    f"{p.queries[n]:,}",
                    f"{statistics.median(m.ms) / statistics.median(p.ms):.2f}x",
                    f"{before[0] / peer_before[0]:.2f}x" if before else "–",
                ]
            else:
                row += ["–", "–", "–", "–"]
            rows.append(row)
        _table(w, head, rows)
        w("")
        w("Queries at N=10 and N=60 (constant when equal), and rows written:")
        for key, label, _peer in REQUESTS:
            small, big = mine[key][10], mine[key][60]
            w(
                f"  {label:45} {small.queries[10]:3d} -> {big.queries[60]:3d} queries, "
                f"writes {small.writes[10]} -> {big.writes[60]};  N=10 p50 "
                f"{statistics.median(small.ms):.1f} ms"
                + (
                    f" (peer {statistics.median(theirs[key][10].ms):.1f} ms)"
                    if theirs[key][10].ms
                    else ""
                )
            )
            if opts["verbosity"] > 1:
                w(f"      {big.detail[60]}")
        w("")
        w(
            "Objects left in reference cycles per request (gc.collect() after 20 requests with "
            "the collector off): "
            + ", ".join(f"{key} {count:,.0f}" for key, count in cycles.items())
        )
        w("")
        for ok, text in self._targets(mine, theirs, opts):
            w(f"  [{'met' if ok else 'MISSED'}] {text}")

    def _targets(self, mine, theirs, opts):
        def p50(measured):
            return statistics.median(measured.ms)

        def constant(key):
            return mine[key][10].queries[10] == mine[key][60].queries[60]

        out = []
        for key in ("post_first", "post_changed"):
            label = dict((k, lbl) for k, lbl, _p in REQUESTS)[key]
            if not opts["no_peer"]:
                ratio = p50(mine[key][60]) / p50(theirs[key][60])
                out.append((ratio <= 1 / 3, f"{label}: {ratio:.2f} of the peer's POST (<= 0.33)"))
            out.append((constant(key), f"{label}: queries constant in N"))
        out.append(
            (
                mine["post_unchanged"][60].writes[60] == 0,
                f"POST unchanged writes nothing ({mine['post_unchanged'][60].writes[60]} writes)",
            )
        )
        get = mine["get"][60]
        if not opts["no_peer"]:
            ratio = p50(get) / p50(theirs["get"][60])
            out.append((ratio <= 1 / 3, f"GET: {ratio:.2f} of the peer's GET (<= 0.33)"))
        out.append((get.queries[60] <= 10, f"GET: {get.queries[60]} queries (<= 10)"))
        out.append((constant("get"), "GET: queries constant in N"))
        auto = p50(mine["autosave"][60])
        cpu = statistics.median(mine["autosave"][60].cpu)
        out.append((auto < 10, f"autosave: p50 {auto:.1f} ms (< 10; CPU {cpu:.1f} ms)"))
        out.append((constant("autosave"), "autosave: queries constant in N"))
        return out


def _p50_p95(ms: list[float]) -> str:
    return f"{statistics.median(ms):.1f} ({percentile(ms, 95):.1f})"


def _breakdown(sqls: list[str]) -> str:
    counts = Counter()
    for sql in sqls:
        words = sql.replace('"', "").split()
        verb = words[0].upper()
        table = next(
            (words[i + 1] for i, word in enumerate(words[:-1]) if word.upper() in ("FROM", "INTO")),
            words[1] if verb == "UPDATE" and len(words) > 1 else "",
        )
        counts[f"{verb} {table}".strip()] += 1
    return ", ".join(f"{k} x{v}" for k, v in counts.most_common())


def _table(write, head: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    write("| " + " | ".join(h.ljust(wd) for h, wd in zip(head, widths, strict=True)) + " |")
    write("|" + "|".join("-" * (wd + 2) for wd in widths) + "|")
    for r in rows:
        write("| " + " | ".join(c.ljust(wd) for c, wd in zip(r, widths, strict=True)) + " |")
