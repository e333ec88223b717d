from django.core.management.base import BaseCommand, CommandError

from frameworks.io import BankValidationError, parse_bank
from frameworks.models import Framework
from frameworks.selectors import default_bank_paths
from frameworks.services import framework_import


class Command(BaseCommand):
    help = (
        "Load and publish every version of the default question bank, oldest first; "
        "versions already there are left alone."
    )

    def handle(self, *args, **options):
        for path in default_bank_paths():
            try:
                data = parse_bank(path.read_bytes(), source=path.name)
            except BankValidationError as exc:
                raise CommandError(exc.as_text()) from None
            if Framework.objects.filter(slug=data["slug"], version=data["version"]).exists():
                self.stdout.write(f"Default bank {data['slug']} v{data['version']} already loaded.")
                continue
            framework = framework_import(data=data, source=path.name, publish=True)
            self.stdout.write(
                f"Loaded default bank {framework.slug} v{framework.version}: "
                f"{framework.questions.count()} questions."
            )
