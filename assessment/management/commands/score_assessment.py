import json

from django.core.management.base import BaseCommand, CommandError

from assessment.reports.export import assessment_export
from assessment.selectors import assessment_by_id, assessment_snapshot


class Command(BaseCommand):
    help = "Print an assessment's scores and answers as JSON (same as its export.json)."

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int)

    def handle(self, *args, assessment_id: int, **options):
        assessment = assessment_by_id(assessment_id)
        if assessment is None:
            raise CommandError(f"No assessment {assessment_id}.")
        self.stdout.write(json.dumps(assessment_export(assessment_snapshot(assessment)), indent=2))
