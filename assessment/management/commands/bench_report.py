"""Median PDF report build time for a 200-question assessment, its ratio to
WeasyPrint rendering a plain 200-row table in the same run (no PDF/A, no tags: bare
WeasyPrint), the time to freeze it on approval (render + verify), and the median
time to serve the frozen report through the download view (in-process client)."""

import statistics
import time
import warnings

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from assessment.answers import AnswerValue
from assessment.models import Assessment, Partnership, Team
from assessment.reports.pdf import render_html_to_pdf, render_report
from assessment.selectors import assessment_snapshot, bank_spec
from assessment.services import AnswerChange, answers_save, report_freeze
from frameworks.samples import likert_bank
from frameworks.services import framework_import


class Rollback(Exception):
    pass


def plain_table(rows: int) -> str:
    body = "".join(
        f"<tr><td>Q{i}</td><td>{escape('Benchmark question text ' * 3)}</td><td>Agree</td>"
        f"<td>Comment</td></tr>"
        for i in range(rows)
    )
    return f"<html><body><table>{body}</table></body></html>"


class Command(BaseCommand):
    help = "Benchmark the PDF report against a plain WeasyPrint table (nothing is kept)."

    def add_arguments(self, parser):
        parser.add_argument("--questions", type=int, default=200)
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, questions: int, runs: int, **options):
        try:
            with transaction.atomic():
                self._run(questions, runs)
                raise Rollback
        except Rollback:
            pass

    def _run(self, questions: int, runs: int) -> None:
        user = get_user_model().objects.create(username="bench-user", is_superuser=True)
        team = Team.objects.create(name="bench-team")
        framework = framework_import(
            data=likert_bank(
                slug="bench",
                dimensions=4,
                questions_per_dimension=questions // 4,
                question_text="Benchmark question {index} of dimension {dimension}, long enough "
                "to wrap a line in the appendix table of the report.",
            ),
            source="bench",
            publish=True,
        )
        partnership = Partnership.objects.create(
            name="Bench", countries="A, B", declared_model="bilateral", team=team, created_by=user
        )
        assessment = Assessment.objects.create(
            partnership=partnership, framework=framework, owner=user, marking="UNCLASSIFIED"
        )
        bank = bank_spec(framework)
        answers_save(
            assessment=assessment,
            user=user,
            changes=[
                AnswerChange(
                    q, AnswerValue(frozenset([q.choices[n % 5].id]), comment="Evidence."), 0
                )
                for n, q in enumerate(bank.questions)
            ],
        )
        assessment = Assessment.objects.select_related("partnership", "framework", "owner").get(
            pk=assessment.pk
        )
        snapshot = assessment_snapshot(assessment)
        render_report(snapshot)  # warm fonts and templates
        html = plain_table(questions)
        report_times, table_times = [], []
        for _ in range(runs):
            start = time.perf_counter()
            pdf = render_report(snapshot)
            report_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            render_html_to_pdf(html, archival=False)
            table_times.append(time.perf_counter() - start)
        report, table = statistics.median(report_times), statistics.median(table_times)
        self.stdout.write(
            f"report with {questions} questions ({len(pdf) // 1024} KiB), {runs} runs: "
            f"median {report:.3f} s; plain {questions}-row table: median {table:.3f} s; "
            f"ratio {report / table:.2f}"
        )
        with warnings.catch_warnings():
            # whitenoise: no collectstatic for this throwaway run; the PDF needs none.
            warnings.filterwarnings("ignore", "No directory at", UserWarning)
            self._frozen(assessment, user)

    def _frozen(self, assessment: Assessment, user, requests: int = 20) -> None:
        Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.APPROVED)
        assessment.refresh_from_db()
        start = time.perf_counter()
        frozen = report_freeze(assessment=assessment)
        freezing = time.perf_counter() - start
        host = next((h for h in settings.ALLOWED_HOSTS if h and "*" not in h), "localhost")
        client = Client(SERVER_NAME=host.lstrip("."))
        client.force_login(user)
        url = reverse("assessment:export_pdf", args=[assessment.pk])
        times = []
        for _ in range(requests + 1):
            start = time.perf_counter()
            response = client.get(url, secure=True)
            body = b"".join(response.streaming_content)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200 and body == bytes(frozen.pdf), response.status_code
        serve = statistics.median(times[1:])  # the first request warms the URL resolver
        self.stdout.write(
            f"freezing on approval (render + verify): {freezing:.3f} s; serving the frozen "
            f"report ({len(body) // 1024} KiB) through the view, {requests} requests: median "
            f"{serve * 1000:.1f} ms"
        )
