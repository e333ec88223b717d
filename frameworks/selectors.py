"""Reads of question banks."""

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from django.apps import apps
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .io import BankValidationError, framework_to_dict, parse_bank, validate_bank
from .models import Framework, Question

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


def newer_published(framework: Framework) -> QuerySet[Framework]:
    """Published versions of the same bank after this one, newest first."""
    return published_frameworks().filter(slug=framework.slug, version__gt=framework.version)


def _count(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().values("framework").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def bank_versions() -> QuerySet[Framework]:
    """Every version of every bank with its number of questions and of assessments
    answered against it, in one query. Assessments belong to the analyst app, which
    this app does not import: the model is looked up by name."""
    assessment = apps.get_model("assessment", "Assessment")
    return Framework.objects.annotate(
        question_count=_count(Question.objects.filter(framework=OuterRef("pk"))),
        assessment_count=_count(assessment.objects.filter(framework=OuterRef("pk"))),
    ).order_by("slug", "-version")


# The editor's read model --------------------------------------------------------

# Where each list of a bank dict is shown in the editor: the element id of an item is
# "part-<part>-<id>"; a problem with the list as a whole points at the section.
ANCHORS = {
    "dimensions": ("dimension", "outline"),
    "questions": ("question", None),
    "choices": ("choice", None),
    "recommendations": ("recommendation", None),
    "red_lines": ("red-line", "red-lines"),
    "models": ("model", "models"),
    "profile": ("profile", None),
    "conditions": ("condition", None),
    "maturity_bands": ("band", "bands"),
}
_STEP = re.compile(r"([A-Za-z_]+)(?:\[(\d+)\])?")


@dataclass(frozen=True)
class Problem:
    path: str  # as in the YAML file: dimensions[0].questions[3].weight
    reason: str
    anchor: str  # the element id of the part in the editor page
    where: str  # the part in words: Dimension intelligence › question INT-04 › weight


def part_anchor(part: str, pk: int) -> str:
    """The element id of a part in the editor page."""
    return f"part-{part}-{pk}"


def without_ids(data):
    """A bank dict from `framework_to_dict(..., with_ids=True)` as the validator takes it."""
    if isinstance(data, dict):
        return {key: without_ids(value) for key, value in data.items() if key != "id"}
    if isinstance(data, list):
        return [without_ids(value) for value in data]
    return data


def _name(key: str, index: int, item: dict) -> str:
    """A part of a bank in words, for the problem list."""
    if key in ("dimensions", "questions", "models"):
        noun = {"dimensions": "Dimension", "questions": "question", "models": "Model"}[key]
        return f"{noun} {item.get('code') or index + 1}"
    if key in ("red_lines", "conditions"):
        noun = "Red line" if key == "red_lines" else "condition"
        on = f" on {item['question']}" if item.get("question") else ""
        return f"{noun} {index + 1}{on}"
    if key == "profile":
        return f"target for {item.get('dimension') or index + 1}"
    if key == "maturity_bands":
        return f"Band {item.get('label') or index + 1}"
    return f"{key.rstrip('s')} {index + 1}"


def locate(data: dict, path: str) -> tuple[str, str]:
    """Where a validator path such as `dimensions[0].questions[3].choices[1].score` is:
    the element id of the closest part in the editor page, and the place in words."""
    anchor, node, words = "bank-settings", data, []
    for key, index in _STEP.findall(path):
        part, section = ANCHORS.get(key, (None, None))
        if part is None or not isinstance(node, dict):
            words.append(key.replace("_", " "))
            break
        items = node.get(key)
        if index == "":
            anchor = section or anchor
            words.append(key.replace("_", " "))
            break
        if not isinstance(items, list) or int(index) >= len(items):
            break
        node = items[int(index)]
        if not isinstance(node, dict):
            break
        words.append(_name(key, int(index), node))
        if "id" in node:
            anchor = part_anchor(part, node["id"])
    return anchor, " › ".join(words) or "Bank"


def bank_problems(data: dict) -> tuple[Problem, ...]:
    """What the one validator (the YAML import's) finds in a bank, located in the page."""
    try:
        validate_bank(without_ids(data), source="")
    except BankValidationError as exc:
        return tuple(Problem(p.path, p.reason, *locate(data, p.path)) for p in exc.problems)
    return ()


@dataclass(frozen=True)
class BankOutline:
    """A bank as the editor shows it: the bank dict with the id of every part, and
    what the validator says about it. One query for the bank (`bank_rows`)."""

    framework: Framework
    data: dict

    @cached_property
    def problems(self) -> tuple[Problem, ...]:
        return bank_problems(self.data)

    @cached_property
    def questions(self) -> list[dict]:
        return [q for d in self.data["dimensions"] for q in d["questions"]]

    @cached_property
    def question_ids(self) -> dict[str, int]:
        return {q["code"]: q["id"] for q in self.questions}

    @cached_property
    def rules_by_question(self) -> dict[str, list[str]]:
        """Question code -> what rests on it: "red line", "condition of bilateral", ..."""
        out: dict[str, list[str]] = {}
        for red_line in self.data["red_lines"]:
            out.setdefault(red_line["question"], []).append("red line")
        for model in self.data["models"]:
            for condition in model["conditions"]:
                out.setdefault(condition["question"], []).append(f"condition of {model['code']}")
        return out

    @cached_property
    def targets(self) -> list[dict]:
        """The models' targets as a table: a row per dimension, a cell per model (None
        where the model has no target for it yet)."""
        by_model = {m["id"]: {p["dimension"]: p for p in m["profile"]} for m in self.data["models"]}
        return [
            {
                "dimension": d,
                "cells": [(m, by_model[m["id"]].get(d["code"])) for m in self.data["models"]],
            }
            for d in self.data["dimensions"]
        ]


def bank_outline(framework: Framework) -> BankOutline:
    return BankOutline(framework=framework, data=framework_to_dict(framework, with_ids=True))
