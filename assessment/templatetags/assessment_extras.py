from django import template
from django.utils.translation import gettext as _

from frameworks.models import Question

register = template.Library()


@register.filter
def dictkey(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def answer_display(answer) -> str:
    """An answer as a reader sees it (uses prefetched choices and the question)."""
    if answer is None:
        return "—"
    if answer.is_na:
        return _("N/A")
    question = answer.question
    if question.has_choices:
        labels = [c.label for c in answer.choices.all()]
        return "; ".join(labels) if labels else "—"
    if question.kind == Question.Kind.NUMERIC:
        if answer.number is None:
            return "—"
        return f"{answer.number:g} {question.unit}".strip()
    return answer.text or "—"


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
