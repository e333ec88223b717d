"""YAML <-> question banks.

`parse_bank` turns a file's bytes into a normalised, fully validated plain dict
(or raises `BankValidationError` listing every problem with its path);
`framework_to_dict` turns a stored framework into the same shape, and
`dump_bank` writes that shape as YAML. Export -> import -> export is therefore
byte-identical. Writing to the database is the job of `services.py`.
"""

import math
import re
from dataclasses import dataclass
from typing import Any

import yaml
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxValueValidator
from django.db import models as db_models
from django.db.models import (
    BigIntegerField,
    BooleanField,
    CharField,
    F,
    Field,
    FloatField,
    IntegerField,
    JSONField,
    TextField,
    Value,
)
from django.db.models.functions import Cast

from .models import (
    SCORE_MAX,
    SCORE_MIN,
    Choice,
    CooperationModel,
    Dimension,
    Framework,
    MaturityBand,
    ModelCondition,
    ModelProfile,
    Question,
    Recommendation,
    RedLine,
)

MODEL_CODES = CooperationModel.Code.values
DEFAULT_READY_AT = 90.0

SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
KINDS = [kind.value for kind in Question.Kind]
CHOICE_KINDS = {kind.value for kind in Question.CHOICE_KINDS}

# Fixed scales filled in when a bank leaves the choices of these kinds out.
DEFAULT_CHOICES = {
    "likert": [
        {"label": "Strongly disagree", "score": 1.0},
        {"label": "Disagree", "score": 2.0},
        {"label": "Neither agree nor disagree", "score": 3.0},
        {"label": "Agree", "score": 4.0},
        {"label": "Strongly agree", "score": 5.0},
    ],
    "yesno": [
        {"label": "No", "score": 0.0},
        {"label": "Yes", "score": 1.0},
    ],
}


@dataclass(frozen=True)
class BankProblem:
    path: str
    reason: str


class BankValidationError(Exception):
    """A bank file was rejected; carries every problem with where it is."""

    def __init__(self, source: str, problems: list[BankProblem]):
        self.source = source
        self.problems = problems
        super().__init__(self.as_text())

    def as_lines(self) -> list[str]:
        return [f"{self.source}: {p.path or '(top)'}: {p.reason}" for p in self.problems]

    def as_text(self) -> str:
        count = len(self.problems)
        head = f"{self.source}: rejected, {count} problem{'s' if count != 1 else ''}:"
        return "\n".join([head, *("  " + line for line in self.as_lines())])


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a mapping repeating a key (YAML would keep the last)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


# Schema: the model it is stored in, and key -> (type, required, default). Types:
# "text" (non-empty string), "str" (may be empty), "code", "slug", "int", "number",
# "bool", "list". A key named like a field of the model gets that field's max_length,
# so text limits are the database's own.
_TOP = (
    Framework,
    {
        "slug": ("slug", True, None),
        "version": ("int", True, None),
        "title": ("text", True, None),
        "description": ("str", False, ""),
        "ready_at": ("number", False, DEFAULT_READY_AT),
        "dimensions": ("list", True, None),
        "red_lines": ("list", False, []),
        "models": ("list", True, None),
        "maturity_bands": ("list", True, None),
    },
)
_DIMENSION = (
    Dimension,
    {
        "code": ("code", True, None),
        "name": ("text", True, None),
        "description": ("str", False, ""),
        "weight": ("number", False, 1.0),
        "questions": ("list", True, None),
        "recommendations": ("list", False, []),
    },
)
_QUESTION = (
    Question,
    {
        "code": ("code", True, None),
        "text": ("text", True, None),
        "guidance": ("str", False, ""),
        "kind": ("text", True, None),
        "weight": ("number", False, 1.0),
        "required": ("bool", False, True),
        "allow_na": ("bool", False, False),
        "scored": ("bool", False, True),
        "references": ("list", False, []),
        "choices": ("list", False, None),
        "min": ("number", False, None),
        "max": ("number", False, None),
        "unit": ("str", False, ""),
    },
)
_CHOICE = Choice, {"label": ("text", True, None), "score": ("number", True, None)}
_RECOMMENDATION = Recommendation, {"below": ("number", True, None), "text": ("text", True, None)}
_MODEL = (
    CooperationModel,
    {
        "code": ("text", True, None),
        "name": ("text", True, None),
        "description": ("text", True, None),
        "strengths": ("text", True, None),
        "weaknesses": ("text", True, None),
        "profile": ("list", True, None),
        "conditions": ("list", False, []),
    },
)
_CONDITION = (
    ModelCondition,
    {
        "question": ("code", True, None),
        "at_least": ("number", True, None),
        "why": ("text", True, None),
    },
)
_RED_LINE = (
    RedLine,
    {
        "question": ("code", True, None),
        "below": ("number", True, None),
        "cap": ("number", True, None),
        "reason": ("text", True, None),
    },
)
_PROFILE = (
    ModelProfile,
    {
        "dimension": ("text", True, None),
        "target": ("number", True, None),
        "rationale": ("text", True, None),
    },
)
_BAND = (
    MaturityBand,
    {
        "min": ("number", True, None),
        "max": ("number", True, None),
        "label": ("text", True, None),
        "description": ("str", False, ""),
    },
)


def _max_length(model: type[db_models.Model], key: str) -> int | None:
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    return None if field.is_relation else field.max_length


class _Checker:
    def __init__(self) -> None:
        self.problems: list[BankProblem] = []

    def add(self, path: str, reason: str) -> None:
        self.problems.append(BankProblem(path, reason))

    def mapping(self, value: Any, schema: tuple, path: str) -> dict | None:
        """Check keys and scalar types; return the mapping with defaults filled in."""
        if not isinstance(value, dict):
            self.add(path, f"must be a mapping, got {_type_name(value)}")
            return None
        model, keys = schema
        out: dict[str, Any] = {}
        for key in value:
            if key not in keys:
                allowed = ", ".join(keys)
                self.add(_join(path, str(key)), f"unknown key (allowed: {allowed})")
        for key, (kind, required, default) in keys.items():
            where = _join(path, key)
            if key not in value or value[key] is None:
                if required:
                    self.add(where, "is required")
                out[key] = default
                continue
            out[key] = self.scalar(value[key], kind, where, _max_length(model, key))
        return out

    def scalar(self, value: Any, kind: str, path: str, max_length: int | None = None) -> Any:
        if kind in ("text", "str", "code", "slug"):
            if not isinstance(value, str):
                self.add(path, f"must be text, got {_type_name(value)}")
                return None
            value = value.strip()
            if kind != "str" and not value:
                self.add(path, "must not be empty")
                return None
            if max_length is not None and len(value) > max_length:
                self.add(path, f"must be at most {max_length} characters, got {len(value)}")
                return None
            if kind == "code" and not CODE_RE.match(value):
                self.add(path, "must be a code of letters, digits, '.', '_' or '-'")
                return None
            if kind == "slug" and not SLUG_RE.match(value):
                self.add(path, "must be a slug of letters, digits, '_' or '-'")
                return None
            return value
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                self.add(path, f"must be a whole number, got {_type_name(value)}")
                return None
            return value
        if kind == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.add(path, f"must be a number, got {_type_name(value)}")
                return None
            if not math.isfinite(value):
                self.add(path, f"must be a finite number, got {value}")
                return None
            return float(value)
        if kind == "bool":
            if not isinstance(value, bool):
                self.add(path, f"must be true or false, got {_type_name(value)}")
                return None
            return value
        if kind == "list":
            if not isinstance(value, list):
                self.add(path, f"must be a list, got {_type_name(value)}")
                return None
            return value
        raise AssertionError(kind)

    def items(self, values: list | None, schema: tuple, path: str) -> list[tuple[str, dict]]:
        checked = []
        for index, item in enumerate(values or []):
            where = f"{path}[{index}]"
            mapped = self.mapping(item, schema, where)
            if mapped is not None:
                checked.append((where, mapped))
        return checked

    def in_range(self, value: float | None, low: float, high: float, path: str) -> None:
        if value is not None and not (low <= value <= high):
            self.add(path, f"must be between {low:g} and {high:g}, got {value:g}")

    def positive(self, value: float | None, path: str) -> None:
        if value is not None and value <= 0:
            self.add(path, f"must be greater than 0, got {value:g}")

    def unique(self, value: Any, seen: dict, path: str, what: str) -> None:
        if value is None:
            return
        if value in seen:
            self.add(path, f"duplicate {what} {value!r} (first at {seen[value]})")
        else:
            seen[value] = path


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def load_yaml(raw: bytes | str, *, source: str) -> Any:
    """Read YAML safely; any non-YAML input becomes a BankValidationError."""
    if isinstance(raw, bytes):
        if b"\x00" in raw:
            raise BankValidationError(source, [BankProblem("", "binary file, not YAML text")])
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BankValidationError(
                source, [BankProblem("", f"not UTF-8 text (byte {exc.start})")]
            ) from None
    try:
        return yaml.load(raw, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise BankValidationError(
            source, [BankProblem(where, f"not valid YAML: {problem}")]
        ) from None


def parse_bank(raw: bytes | str, *, source: str) -> dict:
    """Validate a bank file and return it normalised (defaults filled in)."""
    return validate_bank(load_yaml(raw, source=source), source=source)


def validate_bank(data: Any, *, source: str) -> dict:
    check = _Checker()
    top = check.mapping(data, _TOP, "")
    if top is None:
        raise BankValidationError(source, check.problems)
    if top["version"] is not None and top["version"] < 1:
        check.add("version", "must be 1 or more")
    check.in_range(top["ready_at"], 0, 100, "ready_at")
    for validator in Framework._meta.get_field("version").validators:
        if isinstance(validator, MaxValueValidator) and (top["version"] or 0) > (
            validator.limit_value
        ):
            check.add("version", f"must be at most {validator.limit_value}")

    dimension_codes: dict[str, str] = {}
    question_codes: dict[str, str] = {}
    scoreable: dict[str, dict] = {}
    dimensions = []
    if top["dimensions"] == []:
        check.add("dimensions", "must list at least one dimension")
    for where, dim in check.items(top["dimensions"], _DIMENSION, "dimensions"):
        check.unique(dim["code"], dimension_codes, f"{where}.code", "dimension code")
        check.positive(dim["weight"], f"{where}.weight")
        if dim["questions"] == []:
            check.add(f"{where}.questions", "must list at least one question")
        questions = []
        for q_where, question in check.items(dim["questions"], _QUESTION, f"{where}.questions"):
            check.unique(question["code"], question_codes, f"{q_where}.code", "question code")
            _check_question(check, question, q_where)
            questions.append(question)
            scoreable[question["code"]] = question
        dim["questions"] = questions
        recommendations = check.items(
            dim["recommendations"], _RECOMMENDATION, f"{where}.recommendations"
        )
        for r_where, rec in recommendations:
            if rec["below"] is not None and not (0 < rec["below"] <= 100):
                check.add(
                    f"{r_where}.below", f"must be above 0 and at most 100, got {rec['below']:g}"
                )
        dim["recommendations"] = [rec for _w, rec in recommendations]
        dimensions.append(dim)
    top["dimensions"] = dimensions

    red_lines = []
    for where, red_line in check.items(top["red_lines"], _RED_LINE, "red_lines"):
        _check_rule_question(check, red_line["question"], scoreable, f"{where}.question")
        _check_share(check, red_line["below"], f"{where}.below")
        check.in_range(red_line["cap"], 0, 100, f"{where}.cap")
        red_lines.append(red_line)
    top["red_lines"] = red_lines

    model_codes: dict[str, str] = {}
    models = []
    for where, model in check.items(top["models"], _MODEL, "models"):
        if model["code"] is not None and model["code"] not in MODEL_CODES:
            check.add(f"{where}.code", f"must be one of {', '.join(MODEL_CODES)}")
        check.unique(model["code"], model_codes, f"{where}.code", "model code")
        profiled: dict[str, str] = {}
        profile = []
        for p_where, entry in check.items(model["profile"], _PROFILE, f"{where}.profile"):
            if entry["dimension"] is not None and entry["dimension"] not in dimension_codes:
                check.add(f"{p_where}.dimension", f"unknown dimension {entry['dimension']!r}")
            check.unique(entry["dimension"], profiled, f"{p_where}.dimension", "profile dimension")
            check.in_range(entry["target"], 0, 100, f"{p_where}.target")
            profile.append(entry)
        for code in dimension_codes:
            if model["profile"] is not None and code not in profiled:
                check.add(f"{where}.profile", f"has no target for dimension {code!r}")
        model["profile"] = profile
        conditions = []
        for c_where, condition in check.items(
            model["conditions"], _CONDITION, f"{where}.conditions"
        ):
            _check_rule_question(check, condition["question"], scoreable, f"{c_where}.question")
            _check_share(check, condition["at_least"], f"{c_where}.at_least")
            conditions.append(condition)
        model["conditions"] = conditions
        models.append(model)
    if top["models"] is not None and not top["models"]:
        check.add("models", "must list at least one cooperation model")
    top["models"] = models

    bands = [band for _w, band in check.items(top["maturity_bands"], _BAND, "maturity_bands")]
    _check_bands(check, bands)
    top["maturity_bands"] = bands

    if check.problems:
        raise BankValidationError(source, check.problems)
    return top


def _check_rule_question(check: _Checker, code: str | None, questions: dict, where: str) -> None:
    """A red line or condition must rest on a scored question that cannot be N/A."""
    if code is None:
        return
    question = questions.get(code)
    if question is None:
        check.add(where, f"unknown question {code!r}")
    elif not _is_scored(question):
        check.add(where, f"question {code!r} is not scored")
    elif question["allow_na"]:
        check.add(where, f"question {code!r} allows N/A, so it could be dodged")


def _is_scored(question: dict) -> bool:
    if not question["scored"] or question["kind"] not in KINDS or question["kind"] == "text":
        return False
    if question["kind"] == "numeric":
        return question["min"] is not None and question["max"] is not None
    return bool(question["choices"])


def _check_share(check: _Checker, value: float | None, where: str) -> None:
    if value is not None and not (0 < value <= 1):
        check.add(where, f"must be above 0 and at most 1 (a question score), got {value:g}")


def _check_question(check: _Checker, question: dict, where: str) -> None:
    references = []
    for index, reference in enumerate(question["references"] or []):
        text = check.scalar(reference, "text", f"{where}.references[{index}]")
        if text is not None:
            references.append(text)
    question["references"] = references
    kind = question["kind"]
    check.positive(question["weight"], f"{where}.weight")
    if kind is None:
        return  # already reported; choices and range depend on it
    if kind not in KINDS:
        check.add(f"{where}.kind", f"unknown kind {kind!r} (allowed: {', '.join(KINDS)})")
        return
    choices = question["choices"]
    if kind in CHOICE_KINDS:
        if not choices and kind in DEFAULT_CHOICES:
            choices = [dict(choice) for choice in DEFAULT_CHOICES[kind]]
        if not choices:
            check.add(f"{where}.choices", f"a {kind} question needs choices")
        checked = check.items(choices, _CHOICE, f"{where}.choices")
        labels: dict[str, str] = {}
        for c_where, choice in checked:
            check.in_range(choice["score"], SCORE_MIN, SCORE_MAX, f"{c_where}.score")
            check.unique(choice["label"], labels, f"{c_where}.label", "choice label")
        scores = [choice["score"] for _w, choice in checked if choice["score"] is not None]
        if kind == "multi":
            if checked and len(checked) < 2:
                check.add(f"{where}.choices", "needs at least two choices")
            elif scores and sum(scores) <= 0:
                check.add(f"{where}.choices", "needs at least one choice scoring above 0")
        elif checked and len(set(scores)) < 2:
            check.add(f"{where}.choices", "needs at least two choices with different scores")
        question["choices"] = [choice for _w, choice in checked]
    elif choices:
        check.add(f"{where}.choices", f"a {kind} question has no choices")
    else:
        question["choices"] = []
    if kind != "numeric":
        for key in ("min", "max"):
            if question[key] is not None:
                check.add(f"{where}.{key}", "only numeric questions have a range")
    elif (question["min"] is None) != (question["max"] is None):
        check.add(where, "give both min and max, or neither")
    elif question["min"] is not None and question["min"] >= question["max"]:
        check.add(f"{where}.max", "must be above min")


def _check_bands(check: _Checker, bands: list[dict]) -> None:
    if not bands:
        check.add("maturity_bands", "must list at least one band")
        return
    complete = [b for b in bands if b["min"] is not None and b["max"] is not None]
    if len(complete) != len(bands):
        return
    for index, band in enumerate(bands):
        check.in_range(band["min"], 0, 100, f"maturity_bands[{index}].min")
        check.in_range(band["max"], 0, 100, f"maturity_bands[{index}].max")
        if band["min"] >= band["max"]:
            check.add(f"maturity_bands[{index}].max", "must be above min")
    ordered = sorted(enumerate(bands), key=lambda pair: pair[1]["min"])
    if ordered[0][1]["min"] != 0:
        check.add("maturity_bands", "the lowest band must start at 0")
    if ordered[-1][1]["max"] != 100:
        check.add("maturity_bands", "the highest band must end at 100")
    for (_i, low), (j, high) in zip(ordered, ordered[1:], strict=False):
        if high["min"] != low["max"]:
            check.add(
                f"maturity_bands[{j}].min",
                f"must equal the previous band's max ({low['max']:g}): no gaps or overlaps",
            )


# One query reads a whole bank: each part's rows, UNION ALL, in these generic columns.
# t* are texts, n* numbers, f* flags; `parent` is the row it belongs to, `ref` the
# dimension or question it refers to. Each part maps its model fields onto them.
_COLUMNS: dict[str, Field] = {
    "part": CharField(),
    "id": BigIntegerField(),
    "parent": BigIntegerField(),
    "ref": BigIntegerField(),
    "order": IntegerField(),
    **{f"t{i}": TextField() for i in range(1, 6)},
    **{f"n{i}": FloatField() for i in range(1, 4)},
    **{f"f{i}": BooleanField() for i in range(1, 4)},
    "refs": JSONField(),
}
_PARTS = {
    "dimension": (
        Dimension, "framework",
        {"order": "order", "t1": "code", "t2": "name", "t3": "description", "n1": "weight"},
    ),
    "question": (
        Question, "framework",
        {
            "parent": "dimension_id", "order": "order", "t1": "code", "t2": "text",
            "t3": "guidance", "t4": "kind", "t5": "unit", "n1": "weight", "n2": "min_value",
            "n3": "max_value", "f1": "required", "f2": "allow_na", "f3": "scored",
            "refs": "references",
        },
    ),
    "choice": (
        Choice, "question__framework",
        {"parent": "question_id", "order": "order", "t1": "label", "n1": "score"},
    ),
    "recommendation": (
        Recommendation, "framework",
        {"parent": "dimension_id", "order": "order", "t1": "text", "n1": "below"},
    ),
    "model": (
        CooperationModel, "framework",
        {
            "order": "order", "t1": "code", "t2": "name", "t3": "description",
            "t4": "strengths", "t5": "weaknesses",
        },
    ),
    "profile": (
        ModelProfile, "model__framework",
        {"parent": "model_id", "ref": "dimension_id", "t1": "rationale", "n1": "target"},
    ),
    "condition": (
        ModelCondition, "model__framework",
        {"parent": "model_id", "ref": "question_id", "order": "order", "t1": "why",
         "n1": "at_least"},
    ),
    "red_line": (
        RedLine, "framework",
        {"ref": "question_id", "order": "order", "t1": "reason", "n1": "below", "n2": "cap"},
    ),
    "band": (
        MaturityBand, "framework",
        {"t1": "label", "t2": "description", "n1": "min_score", "n2": "max_score"},
    ),
}  # fmt: skip


def bank_rows(framework_id: int) -> dict[str, list[dict]]:
    """Every part of a bank as plain dicts of model field names (plus `id`), by part,
    in bank order; one query whatever the size of the bank."""
    queries = []
    for part, (model, lookup, fields) in _PARTS.items():
        columns = []
        for column, output in _COLUMNS.items():
            if column == "part":
                columns.append(Value(part, output_field=output))
            elif column == "id":
                columns.append(F("id"))
            elif column in fields:
                columns.append(F(fields[column]))
            else:
                # Typed, as PostgreSQL settles each UNION column pairwise from the left.
                columns.append(Cast(Value(None), output_field=output))
        query = model.objects.filter(**{lookup: framework_id}).order_by()
        queries.append(query.values_list(*columns))
    rows: dict[str, list[dict]] = {part: [] for part in _PARTS}
    names = list(_COLUMNS)
    for values in queries[0].union(*queries[1:], all=True):
        row = dict(zip(names, values, strict=True))
        part = row["part"]
        fields = _PARTS[part][2]
        rows[part].append({"id": row["id"], **{field: row[c] for c, field in fields.items()}})
    dimension_order = {d["id"]: (d["order"], d["id"]) for d in rows["dimension"]}
    for part, items in rows.items():
        if part == "profile":
            items.sort(key=lambda p: (dimension_order[p["dimension_id"]], p["id"]))
        elif part == "band":
            items.sort(key=lambda b: (b["min_score"], b["id"]))
        else:
            items.sort(key=lambda item: (item["order"], item["id"]))
    return rows


def framework_to_dict(framework: Framework, *, with_ids: bool = False) -> dict:
    """The normalised plain form of a stored framework (same shape as parse_bank).

    `with_ids` adds the database id of every part: scoring stored answers needs the
    ids of questions and choices, the bank editor links to every part. Exports and
    the validator take it without. The whole bank is read in one query (`bank_rows`).
    """
    rows = bank_rows(framework.pk)

    def ided(row: dict, out: dict) -> dict:
        return {"id": row["id"], **out} if with_ids else out

    dimension_code = {d["id"]: d["code"] for d in rows["dimension"]}
    question_code = {q["id"]: q["code"] for q in rows["question"]}
    choices = _group(rows["choice"], "question_id")
    questions = _group(rows["question"], "dimension_id")
    recommendations = _group(rows["recommendation"], "dimension_id")
    profiles = _group(rows["profile"], "model_id")
    conditions = _group(rows["condition"], "model_id")
    return {
        "slug": framework.slug,
        "version": framework.version,
        "title": framework.title,
        "description": framework.description,
        "ready_at": framework.ready_at,
        "dimensions": [
            ided(
                dim,
                {
                    "code": dim["code"],
                    "name": dim["name"],
                    "description": dim["description"],
                    "weight": dim["weight"],
                    "questions": [
                        ided(q, _question_to_dict(q, choices.get(q["id"], []), with_ids))
                        for q in questions.get(dim["id"], [])
                    ],
                    "recommendations": [
                        ided(rec, {"below": rec["below"], "text": rec["text"]})
                        for rec in recommendations.get(dim["id"], [])
                    ],
                },
            )
            for dim in rows["dimension"]
        ],
        "red_lines": [
            ided(
                red_line,
                {
                    "question": question_code[red_line["question_id"]],
                    "below": red_line["below"],
                    "cap": red_line["cap"],
                    "reason": red_line["reason"],
                },
            )
            for red_line in rows["red_line"]
        ],
        "models": [
            ided(
                model,
                {
                    "code": model["code"],
                    "name": model["name"],
                    "description": model["description"],
                    "strengths": model["strengths"],
                    "weaknesses": model["weaknesses"],
                    "profile": [
                        ided(
                            entry,
                            {
                                "dimension": dimension_code[entry["dimension_id"]],
                                "target": entry["target"],
                                "rationale": entry["rationale"],
                            },
                        )
                        for entry in profiles.get(model["id"], [])
                    ],
                    "conditions": [
                        ided(
                            condition,
                            {
                                "question": question_code[condition["question_id"]],
                                "at_least": condition["at_least"],
                                "why": condition["why"],
                            },
                        )
                        for condition in conditions.get(model["id"], [])
                    ],
                },
            )
            for model in rows["model"]
        ],
        "maturity_bands": [
            ided(
                band,
                {
                    "min": band["min_score"],
                    "max": band["max_score"],
                    "label": band["label"],
                    "description": band["description"],
                },
            )
            for band in rows["band"]
        ],
    }


def _group(rows: list[dict], key: str) -> dict[int, list[dict]]:
    grouped: dict[int, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row[key], []).append(row)
    return grouped


def _question_to_dict(question: dict, choices: list[dict], with_ids: bool) -> dict:
    out = {
        "code": question["code"],
        "text": question["text"],
        "guidance": question["guidance"],
        "kind": question["kind"],
        "weight": question["weight"],
        "required": question["required"],
        "allow_na": question["allow_na"],
        "scored": question["scored"],
        "references": list(question["references"] or []),
    }
    if question["kind"] in CHOICE_KINDS:
        out["choices"] = [
            {**({"id": c["id"]} if with_ids else {}), "label": c["label"], "score": c["score"]}
            for c in choices
        ]
    if question["kind"] == Question.Kind.NUMERIC:
        out["min"] = question["min_value"]
        out["max"] = question["max_value"]
        out["unit"] = question["unit"]
    return out


class _BankDumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BankDumper.add_representer(str, _str_presenter)


def dump_bank(data: dict) -> str:
    return yaml.dump(
        data, Dumper=_BankDumper, sort_keys=False, allow_unicode=True, width=100, indent=2
    )
