from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from frameworks.io import dump_bank, framework_to_dict
from frameworks.models import Framework


class Command(BaseCommand):
    help = "Export a question bank to YAML (the latest version unless --version is given)."

    def add_base_argument(self, parser, *args, **kwargs):
        # --version selects the bank version here, not Django's version.
        if "--version" not in args:
            super().add_base_argument(parser, *args, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--version", dest="bank_version", type=int)
        parser.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")

    def handle(self, *args, slug: str, bank_version: int | None, output: Path | None, **options):
        frameworks = Framework.objects.filter(slug=slug)
        if bank_version is not None:
            frameworks = frameworks.filter(version=bank_version)
        framework = frameworks.order_by("-version").first()
        if framework is None:
            which = f" version {bank_version}" if bank_version is not None else ""
            raise CommandError(f"No framework {slug!r}{which}.")
        text = dump_bank(framework_to_dict(framework))
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {slug} v{framework.version} to {output}")
