"""manage.py verify_report FILE.pdf: check a report against the data embedded in it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessment.models import FrozenReport
from assessment.reports.freeze import sha256_hex
from assessment.reports.verify import Outcome, verify_report


class Command(BaseCommand):
    help = (
        "Verify a PDF report: its embedded assessment.json and bank.yaml must match their "
        "SHA-256, and re-scoring the embedded answers with today's code must give every "
        "number in it. Exit 0 verified, 1 a number differs, 2 not a report of this app or "
        "altered."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the PDF report")

    def handle(self, *args, file: str, **options):
        try:
            content = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}", returncode=2) from None
        result = verify_report(content)
        if result.outcome == Outcome.INVALID:
            raise CommandError(f"{file}: {result.lines()[0]}", returncode=2)
        for line in result.lines():
            self.stdout.write(f"{file}: {line}")
        if result.outcome == Outcome.DIFFERS:
            raise CommandError(
                f"{file}: not verified, {len(result.differences)} field(s) differ", returncode=1
            )
        data = result.data
        self.stdout.write(
            f"{file}: assessment {data['id']} ({data['status']}) of {data['partnership']['name']}"
            f", bank {data['framework']['slug']} v{data['framework']['version']}, methodology "
            f"{data['methodology_version']}, app {data['report']['app_version']}"
        )
        self.stdout.write(f"{file}: {self._stored(result.snapshot_sha256, content)}")

    @staticmethod
    def _stored(snapshot_sha256: str, content: bytes) -> str:
        frozen = (
            FrozenReport.objects.filter(snapshot_sha256=snapshot_sha256)
            .only("assessment_id", "pdf_sha256", "created_at")
            .first()
        )
        if frozen is None:
            return "no frozen report of this database has this snapshot"
        same_bytes = frozen.pdf_sha256 == sha256_hex(content)
        same = "the same bytes as" if same_bytes else "other bytes than"
        return (
            f"{same} the frozen report of assessment {frozen.assessment_id} "
            f"(frozen {frozen.created_at:%Y-%m-%d %H:%M} UTC)"
        )
