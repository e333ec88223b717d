"""Bank parts are validated with fewer queries, and exactly as strictly as before:
check constraints decided in Python agree with the database, and a foreign key
that was not read from the database is still proven to exist."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint, F, Q, Value
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from frameworks import models as fm
from frameworks.constraints import Undecided, evaluate
from frameworks.selectors import default_bank
from frameworks.services import framework_import, framework_new_version

CHECKS = [
    (model, constraint)
    for model in apps.get_app_config("frameworks").get_models()
    if not model.__name__.startswith("Historical")
    for constraint in model._meta.constraints
    if isinstance(constraint, CheckConstraint)
]


def _fields(condition: Q) -> set[str]:
    names = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= _fields(child)
        else:
            lookup, rhs = child
            names.add(lookup.split("__")[0])
            if isinstance(rhs, F):
                names.add(rhs.name)
    return names


NUMBERS = st.one_of(
    st.none(),
    st.sampled_from([-1.0, 0.0, 0.5, 1.0, 1.5, 99.0, 100.0, 100.5]),
    st.floats(min_value=-10, max_value=110, allow_nan=False),
)


def test_every_check_constraint_of_the_bank_is_decided_in_python():
    assert len(CHECKS) >= 10
    for _model, constraint in CHECKS:
        values = dict.fromkeys(_fields(constraint.condition), 1.0)
        evaluate(constraint.condition, values)  # raises Undecided otherwise


class TestPythonAgreesWithTheDatabase(TestCase):
    @settings(max_examples=60)
    @given(index=st.integers(0, len(CHECKS) - 1), data=st.data())
    def test_same_verdict_as_sql(self, index, data):
        model, constraint = CHECKS[index]
        values = {name: data.draw(NUMBERS, label=name) for name in _fields(constraint.condition)}
        fields = {k: model._meta.get_field(k) for k in values}
        in_sql = Q(constraint.condition).check({k: Value(v, fields[k]) for k, v in values.items()})
        assert (evaluate(constraint.condition, values) is not False) == in_sql


def test_sql_null_logic():
    both = Q(a__gt=0) & Q(b__gt=0)
    assert evaluate(both, {"a": None, "b": 1}) is None
    assert evaluate(both, {"a": None, "b": -1}) is False
    either = Q(a__gt=0) | Q(b__gt=0)
    assert evaluate(either, {"a": None, "b": 1}) is True
    assert evaluate(either, {"a": None, "b": -1}) is None
    assert evaluate(~Q(a__gt=0), {"a": None}) is None
    assert evaluate(~Q(a__gt=0), {"a": 1}) is False
    assert evaluate(Q(a__isnull=True), {"a": None}) is True
    assert evaluate(Q(a__lt=F("b")), {"a": 1, "b": 2}) is True


@pytest.mark.parametrize(
    ("condition", "values"),
    [
        (Q(a__in=[1, 2]), {"a": 1}),  # a lookup it does not know
        (Q(a__gt=0), {}),  # a field it was not given
        (Q(a__gt=F("b") + 1), {"a": 1, "b": 0}),  # an expression
        (Q(a__gt=0), {"a": "text"}),  # values it cannot compare
    ],
)
def test_what_python_cannot_decide_is_left_to_the_database(condition, values):
    with pytest.raises(Undecided):
        evaluate(condition, values)


@pytest.fixture
def draft(db):
    """A draft of version 2 of the default bank: it has red lines, conditions and
    recommendations."""
    path, data = default_bank(version=2)
    return framework_new_version(
        framework=framework_import(data=data, source=str(path), publish=True)
    )


@pytest.mark.parametrize(
    ("model", "values", "message"),
    [
        (fm.RedLine, {"below": 0.0}, "red_line_below_range"),
        (fm.ModelCondition, {"at_least": 1.5}, "condition_at_least_range"),
        (fm.Recommendation, {"below": 0.0}, "recommendation_below_range"),
    ],
)
def test_full_clean_still_refuses_what_the_constraints_refuse(draft, model, values, message):
    part = model.objects.filter(**_in(model, draft)).first()
    for name, value in values.items():
        setattr(part, name, value)
    with pytest.raises(ValidationError) as refused:
        part.full_clean()
    assert message in str(refused.value)


def _in(model, draft) -> dict:
    if model is fm.ModelCondition:
        return {"model__framework": draft}
    return {"framework": draft}


def test_a_parent_not_read_from_the_database_is_still_checked(draft):
    choice = fm.Choice.objects.filter(question__framework=draft).first()
    choice.question_id = 10**9  # an id only: nothing proves it exists
    with pytest.raises(ValidationError) as refused:
        choice.full_clean()
    assert "question" in refused.value.message_dict


def test_a_parent_read_with_the_part_costs_no_query(draft, django_assert_num_queries):
    choice = fm.Choice.objects.select_related("question").filter(question__framework=draft).first()
    with django_assert_num_queries(0):
        choice.full_clean()
