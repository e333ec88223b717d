"""Check constraints validated in Python, with the database's semantics.

`full_clean()` asks the database whether each `CheckConstraint` holds: one query,
and inside a transaction a savepoint around it, three statements per constraint.
A bank editor's save ran inside a service's transaction and spent six of its
statements on two range checks of a question. The conditions of the bank's
constraints are simple comparisons of the row's own fields, which Python can
decide exactly as SQL does (a comparison with NULL is unknown, and a CHECK holds
unless its condition is false). Anything else is left to the database.
The constraints stay in the database as well; this only decides them earlier.
"""

import operator
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint, F, Q

_COMPARE = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


class Undecided(Exception):
    """The condition uses something this module does not evaluate."""


def _term(lookup: str, rhs, values: Mapping) -> bool | None:
    name, _sep, op = lookup.partition("__")
    if name not in values:
        raise Undecided(lookup)
    left = values[name]
    if hasattr(left, "resolve_expression"):
        raise Undecided(lookup)
    if op == "isnull":
        return (left is None) == bool(rhs)
    if isinstance(rhs, F):
        if rhs.name not in values:
            raise Undecided(rhs.name)
        rhs = values[rhs.name]
    elif hasattr(rhs, "resolve_expression"):
        raise Undecided(repr(rhs))
    compare = _COMPARE.get(op or "exact")
    if compare is None:
        raise Undecided(lookup)
    if left is None or rhs is None:
        return None
    try:
        return compare(left, rhs)
    except TypeError:
        raise Undecided(lookup) from None


def evaluate(condition: Q, values: Mapping) -> bool | None:
    """SQL's three-valued truth of `condition` for a row with these field values:
    True, False, or None (unknown). Raises Undecided for what it cannot evaluate."""
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(evaluate(child, values))
        elif isinstance(child, tuple) and len(child) == 2:
            results.append(_term(*child, values))
        else:
            raise Undecided(repr(child))
    if condition.connector == Q.AND:
        result = False if False in results else (None if None in results else True)
    elif condition.connector == Q.OR:
        result = True if True in results else (None if None in results else False)
    else:
        raise Undecided(condition.connector)
    if condition.negated and result is not None:
        result = not result
    return result


class ChecksInPython:
    """Model mixin: `validate_constraints()` decides check constraints in Python
    where it can (see the module docstring) and asks the database for the rest."""

    def get_constraints(self):
        return [
            (model, [_PythonCheck(c) if isinstance(c, CheckConstraint) else c for c in found])
            for model, found in super().get_constraints()
        ]


class _PythonCheck:
    def __init__(self, constraint: CheckConstraint):
        self.constraint = constraint

    def validate(self, model, instance, exclude=None, using=None):
        exclude = set(exclude or ())
        values = {
            field.name: getattr(instance, field.attname)
            for field in model._meta.local_concrete_fields
            if field.name not in exclude
        }
        try:
            holds = evaluate(self.constraint.condition, values)
        except Undecided:
            # Django's own check: it also passes when a field it needs is excluded.
            return self.constraint.validate(model, instance, exclude=exclude, using=using)
        if holds is False:
            raise ValidationError(
                self.constraint.get_violation_error_message(),
                code=self.constraint.violation_error_code,
            )

    def __getattr__(self, name):
        return getattr(self.constraint, name)
