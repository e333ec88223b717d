import json

from django.core.management.base import BaseCommand, CommandError

from assessment import roadmap
from assessment.reports.export import roadmap_export
from assessment.selectors import assessment_by_id, assessment_snapshot


class Command(BaseCommand):
    help = "Print the improvement roadmap of an assessment as JSON (same as roadmap.json)."

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int)
        parser.add_argument("--model", help="target model code (default: the declared model)")
        parser.add_argument("--steps", type=int, default=roadmap.DEFAULT_STEPS)

    def handle(self, *args, assessment_id: int, model: str | None, steps: int, **options):
        assessment = assessment_by_id(assessment_id)
        if assessment is None:
            raise CommandError(f"No assessment {assessment_id}.")
        if steps < 1:
            raise CommandError("--steps must be 1 or more.")
        snapshot = assessment_snapshot(assessment)
        code = model or assessment.partnership.declared_model
        if snapshot.bank.model(code) is None:
            known = ", ".join(m.code for m in snapshot.bank.models)
            raise CommandError(f"Unknown model {code!r}; this bank has: {known}.")
        plan = roadmap.plan(snapshot.bank, snapshot.answers, code, steps=steps)
        self.stdout.write(json.dumps(roadmap_export(plan), indent=2))
