"""Question kinds: how an answer of each kind is read, checked, scored, stored,
shown and exported. The one place that branches on `Question.kind`.

Pure Python (no Django), so scoring and report verification can use it. Adding a
kind means adding a `Kind` here and teaching the bank validator its keys.

Form fields of question q (the questionnaire page, autosave, what-if):
`q<id>_value` (one value, or several for multiple choice), `q<id>_na`,
`q<id>_comment`, `q<id>_confidence` and the hidden `q<id>_version`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .scoring import QuestionSpec

CONFIDENCE_LEVELS = ("high", "medium", "low")
TEXT_MAX_LENGTH = 10_000
COMMENT_MAX_LENGTH = 5_000


@dataclass(frozen=True)
class AnswerValue:
    """One answer as plain data: the scoring input and what a save stores."""

    choice_ids: frozenset[int] = frozenset()
    number: float | None = None
    text: str = ""
    is_na: bool = False
    comment: str = ""
    confidence: str = ""

    def normalised(self) -> AnswerValue:
        """N/A replaces any value: an N/A answer keeps only its comment."""
        if self.is_na:
            return AnswerValue(is_na=True, comment=self.comment)
        return self


def _(message: str) -> str:
    """Translate a user-facing message. Imported here, not at the top, so that
    scoring (which only scores) stays free of Django."""
    from django.utils.translation import gettext

    return gettext(message)


def number_text(value: float) -> str:
    """A number as a person writes it: 12, not 12.0; 0.5; 1500000."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


class Kind:
    """Behaviour shared by every kind; subclasses override what differs."""

    has_choices = False

    def read(self, question: QuestionSpec, values: list[str]) -> tuple[dict, str | None]:
        """The answer fields from the posted strings of `q<id>_value`, or an error."""
        raise NotImplementedError

    def problems(self, question: QuestionSpec, value: AnswerValue) -> str | None:
        """What is wrong with a value for this question (None when it is fine)."""
        if value.choice_ids:
            return _("This question takes no choices.")
        if value.number is not None:
            return _("This question takes no number.")
        if value.text:
            return _("This question takes no free text.")
        return None

    def has_scale(self, question: QuestionSpec) -> bool:
        return False

    def has_value(self, question: QuestionSpec, value: AnswerValue) -> bool:
        raise NotImplementedError

    def score(self, question: QuestionSpec, value: AnswerValue) -> float | None:
        return None

    def level_at(self, question: QuestionSpec, at_least: float) -> str:
        """The least answer that scores `at_least` (0-1), in the answer's own terms, for
        saying what a model condition asks."""
        return _("%(share)s of its scale") % {"share": f"{at_least:.0%}"}

    def display(self, question: QuestionSpec, value: AnswerValue) -> str:
        raise NotImplementedError

    def export(self, question: QuestionSpec, value: AnswerValue) -> Any:
        raise NotImplementedError

    def from_export(self, question: QuestionSpec, exported: Any) -> dict:
        """The inverse of `export`, for re-scoring a report's embedded answers."""
        raise NotImplementedError

    def form_values(self, question: QuestionSpec, value: AnswerValue) -> list[str]:
        """The strings a form shows for a stored value (inverse of `read`)."""
        raise NotImplementedError


class SingleChoice(Kind):
    """Single choice, Likert and yes/no: one option, scored by its position in the scale."""

    has_choices = True

    def read(self, question, values):
        if not values or values == [""]:
            return {}, None
        if len(values) > 1:
            return {}, _("Select only one choice.")
        ids = _choice_ids(question, values)
        if ids is None:
            return {}, _("Select a valid choice for this question.")
        return {"choice_ids": ids}, None

    def problems(self, question, value):
        if value.number is not None or value.text:
            return _("This question takes a choice.")
        if not value.choice_ids <= {c.id for c in question.choices}:
            return _("Select a valid choice for this question.")
        if len(value.choice_ids) > 1:
            return _("Select only one choice.")
        return None

    def has_scale(self, question):
        return len({c.score for c in question.choices}) >= 2

    def level_at(self, question, at_least):
        scores = [c.score for c in question.choices]
        low, high = min(scores), max(scores)
        enough = [c for c in question.choices if (c.score - low) / (high - low) >= at_least - 1e-9]
        return f"“{min(enough, key=lambda c: c.score).label}”"

    def has_value(self, question, value):
        return bool(value.choice_ids)

    def score(self, question, value):
        chosen = [c.score for c in question.choices if c.id in value.choice_ids]
        if not chosen:
            return None
        scores = [c.score for c in question.choices]
        low, high = min(scores), max(scores)
        return (chosen[0] - low) / (high - low)

    def display(self, question, value):
        return "; ".join(_labels(question, value)) or "—"

    def export(self, question, value):
        labels = _labels(question, value)
        return labels[0] if labels else None

    def from_export(self, question, exported):
        if exported is None:
            return {}
        return {"choice_ids": _ids_for_labels(question, [exported])}

    def form_values(self, question, value):
        return [str(pk) for pk in sorted(value.choice_ids)]


class MultiChoice(SingleChoice):
    """Several options: sum of the chosen scores over the sum of all scores."""

    def read(self, question, values):
        values = [v for v in values if v != ""]
        if not values:
            return {}, None
        ids = _choice_ids(question, values)
        if ids is None:
            return {}, _("Select valid choices for this question.")
        return {"choice_ids": ids}, None

    def problems(self, question, value):
        if value.number is not None or value.text:
            return _("This question takes choices.")
        if not value.choice_ids <= {c.id for c in question.choices}:
            return _("Select valid choices for this question.")
        return None

    def has_scale(self, question):
        return sum(c.score for c in question.choices) > 0

    def level_at(self, question, at_least):
        return _("choices worth %(share)s of all of them") % {"share": f"{at_least:.0%}"}

    def score(self, question, value):
        if not value.choice_ids:
            return None
        total = sum(c.score for c in question.choices)
        return sum(c.score for c in question.choices if c.id in value.choice_ids) / total

    def export(self, question, value):
        return _labels(question, value)

    def from_export(self, question, exported):
        return {"choice_ids": _ids_for_labels(question, exported or [])}


class Numeric(Kind):
    """A number, scored linearly between the question's min and max (clamped)."""

    def read(self, question, values):
        raw = (values[-1] if values else "").strip()
        if not raw:
            return {}, None
        try:
            number = float(raw)
        except ValueError:
            return {}, _("Enter a number.")
        if not math.isfinite(number):
            return {}, _("Enter a finite number.")
        return {"number": number}, None

    def problems(self, question, value):
        if value.choice_ids or value.text:
            return _("This question takes a number.")
        number = value.number
        if number is None:
            return None
        if not math.isfinite(number):
            return _("Enter a finite number.")
        if question.min_value is not None and number < question.min_value:
            return _("Enter a number of at least %(min)s.") % {
                "min": number_text(question.min_value)
            }
        if question.max_value is not None and number > question.max_value:
            return _("Enter a number of at most %(max)s.") % {
                "max": number_text(question.max_value)
            }
        return None

    def has_scale(self, question):
        return question.min_value is not None and question.max_value is not None

    def level_at(self, question, at_least):
        low, high = question.min_value, question.max_value
        return f"{number_text(low + at_least * (high - low))} {question.unit}".strip()

    def has_value(self, question, value):
        return value.number is not None

    def score(self, question, value):
        if value.number is None:
            return None
        low, high = question.min_value, question.max_value
        return (min(max(value.number, low), high) - low) / (high - low)

    def display(self, question, value):
        if value.number is None:
            return "—"
        return f"{number_text(value.number)} {question.unit}".strip()

    def export(self, question, value):
        return value.number

    def from_export(self, question, exported):
        return {} if exported is None else {"number": float(exported)}

    def form_values(self, question, value):
        return [] if value.number is None else [number_text(value.number)]


class FreeText(Kind):
    """Free text: context for the reader, never scored."""

    def read(self, question, values):
        text = (values[-1] if values else "").strip()
        if len(text) > TEXT_MAX_LENGTH:
            return {}, _("Keep the answer under %(n)d characters.") % {"n": TEXT_MAX_LENGTH}
        return ({"text": text} if text else {}), None

    def problems(self, question, value):
        if value.choice_ids or value.number is not None:
            return _("This question takes free text.")
        return None

    def has_value(self, question, value):
        return bool(value.text.strip())

    def display(self, question, value):
        return value.text or "—"

    def export(self, question, value):
        return value.text

    def from_export(self, question, exported):
        return {"text": exported or ""}

    def form_values(self, question, value):
        return [value.text] if value.text else []


KINDS: dict[str, Kind] = {
    "single": SingleChoice(),
    "likert": SingleChoice(),
    "yesno": SingleChoice(),
    "multi": MultiChoice(),
    "numeric": Numeric(),
    "text": FreeText(),
}


def kind_of(question: QuestionSpec) -> Kind:
    return KINDS[question.kind]


def _choice_ids(question: QuestionSpec, values: Iterable[str]) -> frozenset[int] | None:
    valid = {c.id for c in question.choices}
    try:
        ids = frozenset(int(v) for v in values)
    except ValueError:
        return None
    return ids if ids <= valid else None


def _labels(question: QuestionSpec, value: AnswerValue) -> list[str]:
    return [c.label for c in question.choices if c.id in value.choice_ids]


def _ids_for_labels(question: QuestionSpec, labels: Iterable[str]) -> frozenset[int]:
    by_label = {c.label: c.id for c in question.choices}
    missing = [label for label in labels if label not in by_label]
    if missing:
        raise ValueError(f"{question.code}: unknown choice {missing[0]!r}")
    return frozenset(by_label[label] for label in labels)


# Whole answers -------------------------------------------------------------------


def has_value(question: QuestionSpec, value: AnswerValue | None) -> bool:
    """Answered: N/A, or a value of the question's kind (a comment alone is not)."""
    if value is None:
        return False
    return value.is_na or kind_of(question).has_value(question, value)


def display(question: QuestionSpec, value: AnswerValue | None) -> str:
    if value is None:
        return "—"
    if value.is_na:
        return _("N/A")
    return kind_of(question).display(question, value)


def export_value(question: QuestionSpec, value: AnswerValue) -> Any:
    """label | [labels] | number | text | None (N/A)."""
    if value.is_na:
        return None
    return kind_of(question).export(question, value)


def from_export(question: QuestionSpec, entry: Mapping[str, Any]) -> AnswerValue:
    """An answer from its JSON export entry (see `reports.export`)."""
    if entry.get("na"):
        return AnswerValue(is_na=True, comment=entry.get("comment") or "")
    fields = kind_of(question).from_export(question, entry.get("value"))
    return AnswerValue(
        **fields, comment=entry.get("comment") or "", confidence=entry.get("confidence") or ""
    )


def problems(question: QuestionSpec, value: AnswerValue) -> dict[str, str]:
    """Everything wrong with a value for a question, by form part (value, na, ...)."""
    found = {}
    if value.is_na and not question.allow_na:
        found["na"] = _("This question cannot be answered N/A.")
    elif value.is_na and kind_of(question).has_value(question, value):
        found["na"] = _("Give an answer or tick N/A, not both.")
    if value.confidence:
        if value.confidence not in CONFIDENCE_LEVELS:
            found["confidence"] = _("Choose high, medium or low confidence.")
        elif not question.is_scored:
            found["confidence"] = _("Confidence is recorded for scored questions only.")
    if len(value.comment) > COMMENT_MAX_LENGTH:
        found["comment"] = _("Keep the comment under %(n)d characters.") % {"n": COMMENT_MAX_LENGTH}
    if not value.is_na:
        problem = kind_of(question).problems(question, value)
        if problem:
            found["value"] = problem
    return found


Getter = Callable[[str], list[str]]


def read_posted(question: QuestionSpec, getlist: Getter) -> tuple[AnswerValue, dict[str, str]]:
    """One question's answer from posted form data (`getlist` as on a QueryDict).

    Returns the value and the problems by form part; a value with problems must
    not be stored.
    """
    prefix = f"q{question.id}_"
    fields, error = kind_of(question).read(question, getlist(prefix + "value"))
    value = AnswerValue(
        **fields,
        is_na=_posted_flag(getlist(prefix + "na")),
        comment=_last(getlist(prefix + "comment")).strip(),
        confidence=_last(getlist(prefix + "confidence")).strip(),
    )
    found = problems(question, value)
    if error:
        found.setdefault("value", error)
    return value.normalised(), found


def read_version(question: QuestionSpec, getlist: Getter) -> int | None:
    """The answer version the page was showing (0: no answer yet); None if tampered."""
    raw = _last(getlist(f"q{question.id}_version")).strip() or "0"
    return int(raw) if raw.isdigit() else None


def _posted_flag(values: list[str]) -> bool:
    return _last(values).lower() in ("on", "true", "1", "yes")


def _last(values: list[str]) -> str:
    return values[-1] if values else ""
