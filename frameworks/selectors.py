"""Reads of question banks."""

import re
from pathlib import Path

from django.db.models import QuerySet

from .io import parse_bank
from .models import Framework

DEFAULT_BANK_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_BANK_FILE = re.compile(r"^ct-cooperation-v(\d+)\.yaml$")


def default_bank_paths() -> list[Path]:
    """The default bank's files, one per version, oldest first."""
    found = [
        (int(match.group(1)), path)
        for path in DEFAULT_BANK_DIR.iterdir()
        if (match := DEFAULT_BANK_FILE.match(path.name))
    ]
    return [path for _version, path in sorted(found)]


def default_bank(version: int | None = None) -> tuple[Path, dict]:
    """A version of the default bank (the latest when not given), parsed and validated."""
    paths = default_bank_paths()
    path = paths[-1] if version is None else DEFAULT_BANK_DIR / f"ct-cooperation-v{version}.yaml"
    if path not in paths:
        raise FileNotFoundError(f"the default bank has no version {version}")
    return path, parse_bank(path.read_bytes(), source=path.name)


def published_frameworks() -> QuerySet[Framework]:
    return Framework.objects.filter(status=Framework.Status.PUBLISHED).order_by("slug", "-version")
