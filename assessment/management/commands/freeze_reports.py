"""manage.py freeze_reports: freeze the reports of approved assessments that have none."""

from django.core.management.base import BaseCommand

from assessment.models import Assessment
from assessment.services import report_freeze


class Command(BaseCommand):
    help = (
        "Freeze the report of every approved assessment that has no frozen report yet "
        "(approved before reports were frozen). Existing frozen reports are never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only list them")

    def handle(self, *args, dry_run: bool, **options):
        pending = Assessment.objects.filter(
            status=Assessment.Status.APPROVED, frozen_report__isnull=True
        ).order_by("pk")
        count = 0
        for assessment in pending.iterator():
            if not dry_run:
                frozen = report_freeze(assessment=assessment)
                self.stdout.write(f"assessment {assessment.pk}: {frozen.snapshot_sha256}")
            else:
                self.stdout.write(f"assessment {assessment.pk}: would be frozen")
            count += 1
        self.stdout.write(f"{count} report(s) {'to freeze' if dry_run else 'frozen'}.")
