"""Small filters for the bank editor's templates."""

from django import template

from ..diff import show
from ..models import Question
from ..selectors import part_anchor

register = template.Library()

KIND_LABELS = dict(Question.Kind.choices)


@register.filter
def num(value) -> str:
    """A number as a person writes it: 12, not 12.0; '-' when there is none."""
    if value is None or value == "":
        return "-"
    return show(float(value))


@register.filter
def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


@register.filter
def shown(value) -> str:
    """Any bank value in a diff: numbers without .0, yes/no, lists joined."""
    if isinstance(value, str):
        return value or "(empty)"
    return show(value)


@register.simple_tag
def anchor(part: str, pk) -> str:
    return part_anchor(part, pk)


@register.filter
def get_item(mapping, key):
    """`{{ mapping|get_item:key }}`: a dict value by a variable key (None if absent)."""
    return mapping.get(key) if mapping else None
