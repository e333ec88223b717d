"""Differences between two versions of a bank. Pure: plain dicts in, dataclasses out.

Both inputs are normalised bank dicts (`io.parse_bank` or `io.framework_to_dict`).
Questions are matched by code wherever they sit, so a question moved to another
dimension is "moved", not removed and added; within a dimension, the fewest questions
whose moves explain the new order are "reordered". Choices are matched by label
first; the choices left over on both sides are paired by position ("relabelled"),
the rest are added or removed. Red lines and model conditions are matched by question
code, model targets by dimension code.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

ADDED, REMOVED, CHANGED, SAME = "added", "removed", "changed", "same"

# What a change to each question field is called, for people and for the counts.
QUESTION_FIELDS = {
    "text": "reworded",
    "guidance": "guidance changed",
    "weight": "re-weighted",
    "kind": "re-kinded",
    "required": "required changed",
    "allow_na": "N/A changed",
    "scored": "scored changed",
    "references": "references changed",
    "min": "range changed",
    "max": "range changed",
    "unit": "unit changed",
}
FIELD_LABELS = {
    "text": "Question",
    "guidance": "Guidance",
    "weight": "Weight",
    "kind": "Kind",
    "required": "Required",
    "allow_na": "N/A allowed",
    "scored": "Scored",
    "references": "References",
    "min": "Minimum",
    "max": "Maximum",
    "unit": "Unit",
    "name": "Name",
    "description": "Description",
    "title": "Title",
    "ready_at": "Within reach at readiness",
    "below": "Below",
    "cap": "Cap",
    "reason": "Reason",
    "at_least": "At least",
    "why": "Why",
    "target": "Target",
    "rationale": "Rationale",
    "strengths": "Strengths",
    "weaknesses": "Weaknesses",
}
TEXT_FIELDS = frozenset(
    {"text", "guidance", "name", "description", "title", "reason", "why", "rationale"}
    | {"strengths", "weaknesses"}
)


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)

    @property
    def is_text(self) -> bool:
        return self.field in TEXT_FIELDS

    @cached_property
    def segments(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """Word-level marking of a text change, old side and new side."""
        return text_segments(str(self.old or ""), str(self.new or ""))

    @property
    def old_segments(self) -> list[tuple[str, str]]:
        return self.segments[0]

    @property
    def new_segments(self) -> list[tuple[str, str]]:
        return self.segments[1]

    def describe(self) -> str:
        return f"{self.label}: {show(self.old)} -> {show(self.new)}"


@dataclass(frozen=True)
class ChoiceDiff:
    status: str  # added | removed | changed | same
    old_label: str | None
    new_label: str | None
    old_score: float | None
    new_score: float | None
    moved: bool = False  # up or down among the choices

    @property
    def relabelled(self) -> bool:
        return self.status == CHANGED and self.old_label != self.new_label

    @property
    def rescored(self) -> bool:
        return self.status == CHANGED and self.old_score != self.new_score

    @property
    def what(self) -> str:
        """What happened to it, in words: added, removed, relabelled, rescored, moved."""
        if self.status in (ADDED, REMOVED, SAME):
            return self.status
        flags = {"relabelled": self.relabelled, "rescored": self.rescored, "moved": self.moved}
        return ", ".join(name for name, on in flags.items() if on)

    def describe(self) -> str:
        if self.status == ADDED:
            return f"+ choice {self.new_label!r} (score {show(self.new_score)})"
        if self.status == REMOVED:
            return f"- choice {self.old_label!r} (score {show(self.old_score)})"
        parts = []
        if self.relabelled:
            parts.append(f"{self.old_label!r} relabelled {self.new_label!r}")
        if self.rescored:
            parts.append(
                f"{self.new_label!r} score {show(self.old_score)} -> {show(self.new_score)}"
            )
        if self.moved:
            parts.append(f"{self.new_label!r} moved")
        return "~ choice " + "; ".join(parts)


@dataclass(frozen=True)
class QuestionDiff:
    code: str
    status: str  # added | removed | changed | same
    old: dict | None
    new: dict | None
    changes: tuple[FieldChange, ...] = ()
    choices: tuple[ChoiceDiff, ...] = ()
    moved_from: str | None = None  # the old dimension code, when it moved
    reordered: bool = False  # moved up or down within its dimension

    @property
    def choice_changes(self) -> tuple[ChoiceDiff, ...]:
        return tuple(c for c in self.choices if c.status != SAME)

    @property
    def kinds_of_change(self) -> list[str]:
        """What happened to it, in words: reworded, re-weighted, choices changed, ..."""
        if self.status in (ADDED, REMOVED):
            return [self.status]
        found = dict.fromkeys(QUESTION_FIELDS[c.field] for c in self.changes)
        if self.choice_changes:
            found["choices changed"] = None
        if self.moved_from:
            found["moved"] = None
        if self.reordered:
            found["reordered"] = None
        return list(found)

    @property
    def current(self) -> dict:
        return self.new if self.new is not None else self.old


@dataclass(frozen=True)
class DimensionDiff:
    code: str
    name: str
    status: str
    changes: tuple[FieldChange, ...] = ()
    questions: tuple[QuestionDiff, ...] = ()
    recommendations_added: tuple[dict, ...] = ()
    recommendations_removed: tuple[dict, ...] = ()

    @property
    def changed_questions(self) -> tuple[QuestionDiff, ...]:
        return tuple(q for q in self.questions if q.status != SAME)

    @property
    def unchanged_count(self) -> int:
        return sum(q.status == SAME for q in self.questions)

    @property
    def has_changes(self) -> bool:
        return bool(
            self.status != SAME
            or self.changed_questions
            or self.recommendations_added
            or self.recommendations_removed
        )


@dataclass(frozen=True)
class RuleDiff:
    """A red line or a model condition, keyed by its question code."""

    question: str
    status: str
    old: dict | None
    new: dict | None
    changes: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class ModelDiff:
    code: str
    name: str
    status: str
    changes: tuple[FieldChange, ...] = ()
    targets: tuple[tuple[str, tuple[FieldChange, ...]], ...] = ()  # (dimension, changes)
    conditions: tuple[RuleDiff, ...] = ()

    @property
    def has_changes(self) -> bool:
        return self.status != SAME or bool(self.changes or self.targets or self.conditions)


@dataclass(frozen=True)
class BankDiff:
    slug: str
    old_version: int
    new_version: int
    settings: tuple[FieldChange, ...]
    dimensions: tuple[DimensionDiff, ...]
    red_lines: tuple[RuleDiff, ...]
    models: tuple[ModelDiff, ...]
    bands_changed: bool
    old_bands: tuple[dict, ...] = field(default=())
    new_bands: tuple[dict, ...] = field(default=())

    @property
    def questions(self) -> list[QuestionDiff]:
        return [q for d in self.dimensions for q in d.questions]

    @property
    def counts(self) -> dict[str, int]:
        """How many questions were added, removed, reworded, ..., in a stable order."""
        tally: Counter[str] = Counter()
        for question in self.questions:
            tally.update(question.kinds_of_change)
        order = [ADDED, REMOVED, *dict.fromkeys(QUESTION_FIELDS.values()), "choices changed"]
        order += ["moved", "reordered"]
        return {name: tally[name] for name in order if tally[name]}

    @property
    def unchanged_questions(self) -> int:
        return sum(q.status == SAME for q in self.questions)

    @property
    def changed_models(self) -> tuple[ModelDiff, ...]:
        return tuple(m for m in self.models if m.has_changes)

    @property
    def changed_dimensions(self) -> tuple[DimensionDiff, ...]:
        return tuple(d for d in self.dimensions if d.has_changes)

    @property
    def is_empty(self) -> bool:
        return not (
            self.settings
            or self.changed_dimensions
            or self.red_lines
            or self.changed_models
            or self.bands_changed
        )


def diff_banks(old: dict, new: dict) -> BankDiff:
    """What changed from `old` to `new` (two versions of a bank, normalised dicts)."""
    old_questions = {q["code"]: (d["code"], q) for d in old["dimensions"] for q in d["questions"]}
    new_codes = {q["code"] for d in new["dimensions"] for q in d["questions"]}
    old_dims = {d["code"]: d for d in old["dimensions"]}
    new_dims = {d["code"]: d for d in new["dimensions"]}

    dimensions = []
    for dim in new["dimensions"]:
        previous = old_dims.get(dim["code"])
        reordered = _out_of_order(
            [q["code"] for q in previous["questions"]] if previous else [],
            [q["code"] for q in dim["questions"]],
        )
        questions = [
            _question_diff(q, old_questions.get(q["code"]), dim["code"], q["code"] in reordered)
            for q in dim["questions"]
        ]
        if previous is not None:
            questions += _removed_questions(previous, new_codes)
        added_recs, removed_recs = _list_diff(
            previous["recommendations"] if previous else [], dim["recommendations"]
        )
        changes = (
            _field_changes(previous, dim, ("name", "description", "weight")) if previous else []
        )
        dimensions.append(
            DimensionDiff(
                code=dim["code"],
                name=dim["name"],
                status=ADDED if previous is None else (CHANGED if changes else SAME),
                changes=tuple(changes),
                questions=tuple(questions),
                recommendations_added=tuple(added_recs) if previous else (),
                recommendations_removed=tuple(removed_recs),
            )
        )
    for dim in old["dimensions"]:
        if dim["code"] not in new_dims:
            dimensions.append(
                DimensionDiff(
                    code=dim["code"],
                    name=dim["name"],
                    status=REMOVED,
                    questions=tuple(_removed_questions(dim, new_codes)),
                )
            )

    bands_changed = _bands(old) != _bands(new)
    return BankDiff(
        slug=new["slug"],
        old_version=old["version"],
        new_version=new["version"],
        settings=tuple(_field_changes(old, new, ("title", "description", "ready_at"))),
        dimensions=tuple(dimensions),
        red_lines=tuple(_rule_diffs(old["red_lines"], new["red_lines"], ("below", "cap"))),
        models=tuple(_model_diffs(old, new)),
        bands_changed=bands_changed,
        old_bands=tuple(old["maturity_bands"]) if bands_changed else (),
        new_bands=tuple(new["maturity_bands"]) if bands_changed else (),
    )


def _field_changes(old: dict, new: dict, fields: Iterable[str]) -> list[FieldChange]:
    return [
        FieldChange(name, old.get(name), new.get(name))
        for name in fields
        if old.get(name) != new.get(name)
    ]


def _out_of_order(old: list[str], new: list[str]) -> set[str]:
    """Of the items in both lists, the fewest whose moves explain the new order (those
    outside a longest common subsequence)."""
    shared = set(old) & set(new)
    a, b = [x for x in old if x in shared], [x for x in new if x in shared]
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    kept = {
        b[j]
        for block in matcher.get_matching_blocks()
        for j in range(block.b, block.b + block.size)
    }
    return set(b) - kept


def _question_diff(
    new: dict, previous: tuple[str, dict] | None, dimension: str, reordered: bool = False
) -> QuestionDiff:
    if previous is None:
        return QuestionDiff(code=new["code"], status=ADDED, old=None, new=new)
    old_dimension, old = previous
    changes = tuple(_field_changes(old, new, QUESTION_FIELDS))
    choices = tuple(_choice_diffs(old.get("choices") or [], new.get("choices") or []))
    moved_from = old_dimension if old_dimension != dimension else None
    changed = changes or any(c.status != SAME for c in choices) or moved_from or reordered
    return QuestionDiff(
        code=new["code"],
        status=CHANGED if changed else SAME,
        old=old,
        new=new,
        changes=changes,
        choices=choices,
        moved_from=moved_from,
        reordered=reordered,
    )


def _removed_questions(old_dimension: dict, new_codes: set[str]) -> list[QuestionDiff]:
    return [
        QuestionDiff(code=q["code"], status=REMOVED, old=q, new=None)
        for q in old_dimension["questions"]
        if q["code"] not in new_codes
    ]


def _choice_diffs(old: list[dict], new: list[dict]) -> list[ChoiceDiff]:
    old_by_label = {c["label"]: c for c in old}
    new_labels = {c["label"] for c in new}
    unmatched_old = [c for c in old if c["label"] not in new_labels]
    moved = _out_of_order([c["label"] for c in old], [c["label"] for c in new])
    out = []
    for choice in new:
        before = old_by_label.get(choice["label"])
        if before is None and unmatched_old:
            before = unmatched_old.pop(0)  # same place in what is left: relabelled
        if before is None:
            out.append(ChoiceDiff(ADDED, None, choice["label"], None, choice["score"]))
            continue
        same = before["label"] == choice["label"] and before["score"] == choice["score"]
        out.append(
            ChoiceDiff(
                SAME if same and choice["label"] not in moved else CHANGED,
                before["label"],
                choice["label"],
                before["score"],
                choice["score"],
                moved=choice["label"] in moved,
            )
        )
    for choice in unmatched_old:
        out.append(ChoiceDiff(REMOVED, choice["label"], None, choice["score"], None))
    return out


def _list_diff(old: list[dict], new: list[dict]) -> tuple[list[dict], list[dict]]:
    """Entries only in `new` (added) and only in `old` (removed), compared whole."""
    return [r for r in new if r not in old], [r for r in old if r not in new]


def _keyed(rules: list[dict]) -> dict[tuple[str, int], dict]:
    """Rules by (question, n-th rule on that question), so repeats stay distinct."""
    seen: Counter[str] = Counter()
    out = {}
    for rule in rules:
        out[(rule["question"], seen[rule["question"]])] = rule
        seen[rule["question"]] += 1
    return out


def _rule_diffs(old: list[dict], new: list[dict], numbers: tuple[str, ...]) -> list[RuleDiff]:
    old_keyed, new_keyed = _keyed(old), _keyed(new)
    text = "reason" if "cap" in numbers else "why"
    out = []
    for key, rule in new_keyed.items():
        before = old_keyed.get(key)
        if before is None:
            out.append(RuleDiff(key[0], ADDED, None, rule))
            continue
        changes = _field_changes(before, rule, (*numbers, text))
        if changes:
            out.append(RuleDiff(key[0], CHANGED, before, rule, tuple(changes)))
    for key, rule in old_keyed.items():
        if key not in new_keyed:
            out.append(RuleDiff(key[0], REMOVED, rule, None))
    return out


def _model_diffs(old: dict, new: dict) -> list[ModelDiff]:
    old_models = {m["code"]: m for m in old["models"]}
    new_codes = {m["code"] for m in new["models"]}
    out = []
    for model in new["models"]:
        before = old_models.get(model["code"])
        if before is None:
            out.append(ModelDiff(model["code"], model["name"], ADDED))
            continue
        changes = tuple(
            _field_changes(before, model, ("name", "description", "strengths", "weaknesses"))
        )
        old_targets = {p["dimension"]: p for p in before["profile"]}
        targets = []
        for entry in model["profile"]:
            previous = old_targets.get(entry["dimension"], {})
            found = _field_changes(previous, entry, ("target", "rationale"))
            if found:
                targets.append((entry["dimension"], tuple(found)))
        conditions = tuple(
            _rule_diffs(before.get("conditions", []), model.get("conditions", []), ("at_least",))
        )
        status = CHANGED if changes or targets or conditions else SAME
        out.append(
            ModelDiff(model["code"], model["name"], status, changes, tuple(targets), conditions)
        )
    for model in old["models"]:
        if model["code"] not in new_codes:
            out.append(ModelDiff(model["code"], model["name"], REMOVED))
    return out


def _bands(bank: dict) -> list[tuple]:
    return [(b["min"], b["max"], b["label"], b["description"]) for b in bank["maturity_bands"]]


# Text -----------------------------------------------------------------------------

# A word or a run of punctuation, with the spaces around it; words are compared
# without their spaces. Texts sharing less than half their words are shown as
# rewritten, not word by word.
REWRITTEN_BELOW = 0.5

_WORDS = re.compile(r"\s*(?:\w+|[^\w\s]+)\s*|\s+")


def text_segments(old: str, new: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """A word-level diff, one list per side in reading order: the old text as
    ("equal" | "delete", text) and the new text as ("equal" | "insert", text)."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    old_side: list[tuple[str, str]] = []
    new_side: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(
        a=[t.strip() for t in a], b=[t.strip() for t in b], autojunk=False
    )
    if matcher.ratio() < REWRITTEN_BELOW:
        # Rewritten: a few shared words ("the", "and") marked as kept only confuse.
        return ([("delete", old)] if old else []), ([("insert", new)] if new else [])
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        changed = op != "equal"
        if i2 > i1:
            _append(old_side, "delete" if changed else "equal", "".join(a[i1:i2]))
        if j2 > j1:
            _append(new_side, "insert" if changed else "equal", "".join(b[j1:j2]))
    return old_side, new_side


def _append(segments: list[tuple[str, str]], op: str, text: str) -> None:
    if segments and segments[-1][0] == op:
        segments[-1] = (op, segments[-1][1] + text)
    else:
        segments.append((op, text))


def show(value: Any) -> str:
    """A value as a person reads it in a diff: 12 not 12.0, yes/no, '-' for none."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value) or "(none)"
    if isinstance(value, str):
        return repr(value)
    return str(value)


# Plain text, for the command line -----------------------------------------------


def diff_lines(diff: BankDiff) -> list[str]:
    """The diff as lines of text: a summary, then by dimension, then rules and models."""
    lines = [f"{diff.slug}: version {diff.old_version} -> version {diff.new_version}"]
    counts = diff.counts
    summary = ", ".join(f"{n} {what}" for what, n in counts.items())
    lines.append(f"Questions: {summary or 'no changes'}; {diff.unchanged_questions} unchanged.")
    if diff.is_empty:
        lines.append("No differences.")
        return lines
    for change in diff.settings:
        lines.append(f"Bank {change.describe()}")
    for dim in diff.changed_dimensions:
        head = f"Dimension {dim.code} ({dim.name})"
        lines += ["", f"{head}: {dim.status}" if dim.status != SAME else head]
        lines += [f"  {change.describe()}" for change in dim.changes]
        for question in dim.changed_questions:
            lines += _question_lines(question)
        for rec in dim.recommendations_added:
            lines.append(f"  + recommendation below {show(rec['below'])}: {rec['text']}")
        for rec in dim.recommendations_removed:
            lines.append(f"  - recommendation below {show(rec['below'])}: {rec['text']}")
    if diff.red_lines:
        lines += ["", "Red lines"]
        lines += [_rule_line(rule, "below {below}, cap {cap}") for rule in diff.red_lines]
    for model in diff.changed_models:
        lines += ["", f"Model {model.code} ({model.name}): {model.status}"]
        lines += [f"  {change.describe()}" for change in model.changes]
        for dimension, changes in model.targets:
            lines += [f"  {dimension}: {change.describe()}" for change in changes]
        lines += [_rule_line(rule, "at least {at_least}") for rule in model.conditions]
    if diff.bands_changed:
        lines += ["", "Maturity bands"]
        lines.append("  old: " + "; ".join(_band_text(b) for b in diff.old_bands))
        lines.append("  new: " + "; ".join(_band_text(b) for b in diff.new_bands))
    return lines


def _question_lines(question: QuestionDiff) -> list[str]:
    current = question.current
    head = f"[{current['kind']}] {current['text']}"
    if question.status == ADDED:
        return [f"  + {question.code} {head}"]
    if question.status == REMOVED:
        return [f"  - {question.code} {head}"]
    lines = [f"  ~ {question.code}: {', '.join(question.kinds_of_change)}"]
    if question.moved_from:
        lines.append(f"      moved from dimension {question.moved_from}")
    if question.reordered:
        lines.append("      moved up or down within the dimension")
    lines += [f"      {change.describe()}" for change in question.changes]
    lines += [f"      {choice.describe()}" for choice in question.choice_changes]
    return lines


def _rule_line(rule: RuleDiff, template: str) -> str:
    def text(entry: dict) -> str:
        numbers = {key: show(value) for key, value in entry.items()}
        return template.format(**numbers)

    if rule.status == ADDED:
        return f"  + {rule.question}: {text(rule.new)}"
    if rule.status == REMOVED:
        return f"  - {rule.question}: {text(rule.old)}"
    changes = "; ".join(change.describe() for change in rule.changes)
    return f"  ~ {rule.question}: {changes}"


def _band_text(band: dict) -> str:
    return f"{show(band['min'])}-{show(band['max'])} {band['label']}"
