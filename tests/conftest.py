"""Shared fixtures: the default bank, three users of a team plus a reviewer and an admin."""

import pytest

from assessment.roles import ADMIN, ANALYST, REVIEWER
from frameworks.selectors import default_bank
from frameworks.services import framework_import

from .factories import (
    AssessmentFactory,
    PartnershipFactory,
    TeamFactory,
    UserFactory,
    small_bank_data,
)


@pytest.fixture
def bank(db):
    """Version 1 of the default question bank, published (tests rely on its codes)."""
    path, data = default_bank(version=1)
    return framework_import(data=data, source=str(path), publish=True)


@pytest.fixture
def small_bank(db):
    return framework_import(data=small_bank_data(), source="test", publish=True)


@pytest.fixture
def team(db):
    return TeamFactory(name="Team A")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Team B")


@pytest.fixture
def owner(team):
    user = UserFactory(username="owner", role=ANALYST)
    team.members.add(user)
    return user


@pytest.fixture
def teammate(team):
    user = UserFactory(username="teammate", role=ANALYST)
    team.members.add(user)
    return user


@pytest.fixture
def outsider(other_team):
    user = UserFactory(username="outsider", role=ANALYST)
    other_team.members.add(user)
    return user


@pytest.fixture
def reviewer(team):
    user = UserFactory(username="reviewer", role=REVIEWER)
    team.members.add(user)
    return user


@pytest.fixture
def admin_user(db):
    user = UserFactory(username="boss", role=ADMIN, is_superuser=True, is_staff=True)
    return user


@pytest.fixture
def users(owner, teammate, outsider, reviewer, admin_user):
    return {
        "owner": owner,
        "teammate": teammate,
        "outsider": outsider,
        "reviewer": reviewer,
        "admin": admin_user,
    }


@pytest.fixture
def partnership(team, owner):
    return PartnershipFactory(name="Sahel Partnership", team=team, created_by=owner)


@pytest.fixture
def assessment(partnership, owner, bank):
    return AssessmentFactory(partnership=partnership, owner=owner, framework=bank)


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL; runs in CI's PostgreSQL pass")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
