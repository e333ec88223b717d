"""Verify a report PDF against the data embedded in it: a pure function of its bytes.

1. The PDF's metadata names the SHA-256 of the embedded `assessment.json`; the file
   must match it, and `bank.yaml` must match the SHA-256 that `assessment.json`
   names (and be the bank version it names).
2. The embedded answers are scored again against the embedded bank with today's
   scoring code, and every number of the export (overall, coverage, maturity,
   dimensions, models, red lines, supported and closest model) is compared with
   the embedded one, floats within 1e-9.

Outcomes (the exit codes of `manage.py verify_report`): 0 verified; 1 some number
differs (each differing field is named); 2 not a report of this app, or its
embedded data does not match its hashes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from pypdf import PdfReader

from .. import scoring
from .export import score_export
from .freeze import (
    BANK_NAME,
    JSON_NAME,
    SNAPSHOT_INFO_KEY,
    InvalidReport,
    load_snapshot,
    rescore,
    sha256_hex,
)

METADATA_KEY = "/" + SNAPSHOT_INFO_KEY
TOLERANCE = 1e-9
MISSING = "(missing)"


class Outcome(IntEnum):
    VERIFIED = 0
    DIFFERS = 1
    INVALID = 2


@dataclass(frozen=True)
class Difference:
    path: str
    embedded: Any
    rescored: Any

    def __str__(self) -> str:
        return f"{self.path}: report says {self.embedded!r}, re-scoring gives {self.rescored!r}"


@dataclass(frozen=True)
class Verification:
    outcome: Outcome
    problem: str = ""
    differences: tuple[Difference, ...] = ()
    snapshot_sha256: str | None = None
    data: dict | None = None

    def lines(self) -> list[str]:
        if self.outcome == Outcome.INVALID:
            return [f"not a verifiable report: {self.problem}"]
        if self.outcome == Outcome.DIFFERS:
            return [f"differs: {d}" for d in self.differences]
        return [f"verified: {self.snapshot_sha256}"]


def read_embedded(content: bytes) -> tuple[str, bytes, bytes]:
    """(metadata hash, assessment.json, bank.yaml) of a report PDF; InvalidReport
    when the file is not a PDF or lacks any of them."""
    try:
        reader = PdfReader(io.BytesIO(content))
        metadata = reader.metadata or {}
        declared = metadata.get(METADATA_KEY)
        files: dict[str, list[bytes]] = {}
        for entry in reader.attachment_list:
            files.setdefault(entry.name, []).append(entry.content)
    except Exception as exc:  # pypdf raises many kinds on files that are not PDFs
        raise InvalidReport(f"not a readable PDF ({type(exc).__name__})") from None
    if not declared:
        raise InvalidReport(f"no {METADATA_KEY[1:]} in the PDF metadata: not a report of this app")
    for name in (JSON_NAME, BANK_NAME):
        if len(files.get(name, ())) != 1:
            raise InvalidReport(f"the PDF does not embed exactly one {name}")
    return str(declared), files[JSON_NAME][0], files[BANK_NAME][0]


def verify_report(content: bytes) -> Verification:
    try:
        declared, json_bytes, bank_yaml = read_embedded(content)
        if sha256_hex(json_bytes) != declared:
            raise InvalidReport(
                f"{JSON_NAME} does not match the SHA-256 in the PDF metadata: "
                "the embedded data was altered"
            )
        report = load_snapshot(json_bytes, bank_yaml)
        rescored = rescore(report)
    except InvalidReport as exc:
        return Verification(Outcome.INVALID, problem=str(exc))
    expected = score_export(rescored.score, provisional=rescored.provisional)
    differences = compare({k: report.data.get(k, MISSING) for k in expected}, expected)
    if report.data.get("methodology_version") != scoring.METHODOLOGY_VERSION:
        differences.insert(
            0,
            Difference(
                "methodology_version",
                report.data.get("methodology_version"),
                scoring.METHODOLOGY_VERSION,
            ),
        )
    return Verification(
        Outcome.DIFFERS if differences else Outcome.VERIFIED,
        differences=tuple(differences),
        snapshot_sha256=report.sha256,
        data=dict(report.data),
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def compare(embedded: Any, rescored: Any, path: str = "") -> list[Difference]:
    """Every field where two JSON values differ, by path (`dimensions.legal.score`,
    `red_lines[0].triggered`); numbers within TOLERANCE are equal."""
    if isinstance(rescored, dict) and isinstance(embedded, dict):
        found = []
        for key in sorted(set(rescored) | set(embedded), key=str):
            where = f"{path}.{key}" if path else str(key)
            found += compare(embedded.get(key, MISSING), rescored.get(key, MISSING), where)
        return found
    if isinstance(rescored, list) and isinstance(embedded, list) and len(rescored) == len(embedded):
        found = []
        for index, (a, b) in enumerate(zip(embedded, rescored, strict=True)):
            found += compare(a, b, f"{path}[{index}]")
        return found
    if _is_number(rescored) and _is_number(embedded):
        same = abs(rescored - embedded) <= TOLERANCE
    else:
        same = type(rescored) is type(embedded) and rescored == embedded
    return [] if same else [Difference(path, embedded, rescored)]
