import os

import factory
import hypothesis
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from assessment.models import Assessment, Partnership, Team
from assessment.roles import ADMIN, ANALYST, REVIEWER
from assessment.services import AnswerInput, answer_save
from frameworks.samples import likert_bank
from frameworks.selectors import default_bank
from frameworks.services import framework_import

# Property tests. CI must not depend on luck: there the examples are derived from
# each test's code, so a run fails only when the code or the tests change. `dev`
# tries new random examples on every run (and replays failures from .hypothesis/);
# `deep` (make test-deep) tries many more. HYPOTHESIS_PROFILE chooses; otherwise
# `ci` when CI is set (CI sets CI=true), else `dev`.
# Each names its parent: the one in force now is Hypothesis's own `ci` when CI is set.
# Timing is luck too: no deadline, and no health check for slow data generation in CI.
_DEFAULT = hypothesis.settings.get_profile("default")
hypothesis.settings.register_profile(
    "ci", _DEFAULT, derandomize=True, database=None, max_examples=300, deadline=None,
    print_blob=True, suppress_health_check=[hypothesis.HealthCheck.too_slow],
)  # fmt: skip
hypothesis.settings.register_profile("dev", _DEFAULT, max_examples=150, deadline=None)
hypothesis.settings.register_profile("deep", _DEFAULT, max_examples=5000, deadline=None)
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or (
    "ci" if os.environ.get("CI", "").lower() not in ("", "0", "false") else "dev"
)
hypothesis.settings.load_profile(HYPOTHESIS_PROFILE)


def pytest_report_header(config):
    return f"hypothesis profile: {HYPOTHESIS_PROFILE}"


User = get_user_model()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            # get_or_create: transactional tests flush the groups the migration made.
            self.groups.add(Group.objects.get_or_create(name=extracted)[0])
        self.save()


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    name = factory.Sequence(lambda n: f"Partnership {n}")
    countries = "France, Mali"
    declared_model = "bilateral"
    team = factory.SubFactory(TeamFactory)
    created_by = factory.SubFactory(UserFactory)


def small_bank_data(*, slug="small", version=1, questions_per_dimension=2) -> dict:
    """A minimal valid bank: two dimensions of Likert questions."""
    return likert_bank(slug=slug, version=version, questions_per_dimension=questions_per_dimension)


@pytest.fixture
def bank(db):
    """The default question bank, published."""
    path, data = default_bank()
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
    return Assessment.objects.create(
        partnership=partnership, framework=bank, owner=owner, marking="RESTRICTED"
    )


def answer_all(assessment, user, *, pick=lambda choices: choices[-1], number=None):
    """Answer every question of an assessment (the highest option by default)."""
    for q in assessment.framework.questions.prefetch_related("choices"):
        choices = list(q.choices.all())
        if q.kind == "multi":
            value = AnswerInput(choice_ids=frozenset(c.pk for c in choices))
        elif q.has_choices:
            value = AnswerInput(choice_ids=frozenset([pick(choices).pk]))
        elif q.kind == "numeric":
            value = AnswerInput(number=q.max_value if number is None else number)
        else:
            value = AnswerInput(text="Evidence text.")
        answer_save(assessment=assessment, question=q, user=user, value=value, base_version=0)


def login(client, user):
    client.force_login(user)
    return client


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL; runs in CI's PostgreSQL pass")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
