"""Reads of question banks."""

from pathlib import Path

from django.db.models import QuerySet

from .io import parse_bank
from .models import Framework

DEFAULT_BANK_PATH = Path(__file__).resolve().parent / "data" / "ct-cooperation.yaml"


def default_bank() -> tuple[Path, dict]:
    """The default bank file, parsed and validated."""
    return DEFAULT_BANK_PATH, parse_bank(
        DEFAULT_BANK_PATH.read_bytes(), source=str(DEFAULT_BANK_PATH.name)
    )


def published_frameworks() -> QuerySet[Framework]:
    return Framework.objects.filter(status=Framework.Status.PUBLISHED).order_by("slug", "-version")
