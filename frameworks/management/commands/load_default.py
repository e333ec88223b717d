from django.core.management.base import BaseCommand, CommandError

from frameworks.io import BankValidationError
from frameworks.models import Framework
from frameworks.selectors import default_bank
from frameworks.services import framework_import


class Command(BaseCommand):
    help = "Load and publish the default question bank; does nothing if it is already there."

    def handle(self, *args, **options):
        path, data = _read_default()
        if Framework.objects.filter(slug=data["slug"], version=data["version"]).exists():
            self.stdout.write(f"Default bank {data['slug']} v{data['version']} already loaded.")
            return
        framework = framework_import(data=data, source=str(path), publish=True)
        self.stdout.write(
            f"Loaded default bank {framework.slug} v{framework.version}: "
            f"{framework.questions.count()} questions."
        )


def _read_default():
    try:
        return default_bank()
    except BankValidationError as exc:
        raise CommandError(exc.as_text()) from None
