from django import template

from .. import answers
from ..models import Answer

register = template.Library()


@register.filter
def answer_of(value, question) -> str:
    """An answer as a reader sees it: `{{ value|answer_of:question }}`."""
    return answers.display(question, value)


@register.filter
def number(value) -> str:
    """A number as typed: 12, not 12.0."""
    return "" if value is None else answers.number_text(float(value))


@register.filter
def score1(value) -> str:
    """A score for display: one decimal, or a dash when there is none."""
    return "—" if value is None else f"{value:.1f}"


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


@register.filter
def minutes(value) -> int:
    """A timedelta in whole minutes (at least 1)."""
    return max(1, round(value.total_seconds() / 60)) if value else 0


@register.filter
def signed(value) -> str:
    """A difference with its sign, one decimal: +4.4, -5.6."""
    return "—" if value is None else f"{value:+.1f}"


@register.filter
def confidence_label(value) -> str:
    """high -> High (translated); empty for no stated confidence."""
    return Answer.Confidence(value).label if value else ""


@register.filter
def get(mapping, key):
    """mapping[key] in a template, None when missing."""
    return mapping.get(key) if mapping else None
