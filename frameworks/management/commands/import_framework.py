from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from frameworks.io import BankValidationError, parse_bank
from frameworks.services import framework_import


class Command(BaseCommand):
    help = "Import a question bank from a YAML file (validated whole; nothing is written on error)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--publish", action="store_true", help="publish it after import")

    def handle(self, *args, file: Path, publish: bool, **options):
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: cannot read: {exc.strerror}") from None
        try:
            framework = framework_import(
                data=parse_bank(raw, source=str(file)), source=str(file), publish=publish
            )
        except BankValidationError as exc:
            raise CommandError(exc.as_text()) from None
        self.stdout.write(
            f"Imported {framework.slug} v{framework.version} ({framework.status}): "
            f"{framework.dimensions.count()} dimensions, {framework.questions.count()} questions."
        )
