from django.core.management.base import BaseCommand, CommandError

from frameworks.diff import diff_banks, diff_lines
from frameworks.io import framework_to_dict
from frameworks.models import Framework


class Command(BaseCommand):
    help = "Show what changed in a question bank between two versions."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("old", type=int, metavar="FROM", help="the earlier version")
        parser.add_argument("new", type=int, metavar="TO", help="the later version")

    def handle(self, *args, slug: str, old: int, new: int, **options):
        found = {f.version: f for f in Framework.objects.filter(slug=slug, version__in=[old, new])}
        missing = [str(v) for v in (old, new) if v not in found]
        if missing:
            raise CommandError(f"No framework {slug!r} version {', '.join(missing)}.")
        diff = diff_banks(framework_to_dict(found[old]), framework_to_dict(found[new]))
        self.stdout.write("\n".join(diff_lines(diff)))
