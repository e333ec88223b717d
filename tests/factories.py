"""Factories and helpers for test data; data goes through the services, as in the app."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from assessment.answers import AnswerValue
from assessment.models import Assessment, Partnership, Team
from assessment.selectors import bank_spec
from assessment.services import AnswerChange, answers_save, assessment_create
from frameworks.samples import likert_bank

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


class AssessmentFactory(factory.django.DjangoModelFactory):
    """Assessments are started through the service, as the app starts them."""

    class Meta:
        model = Assessment

    partnership = factory.SubFactory(PartnershipFactory)
    owner = factory.LazyAttribute(lambda a: a.partnership.created_by)
    marking = "RESTRICTED"

    @classmethod
    def _create(cls, model_class, *, owner, partnership, framework, marking):
        return assessment_create(
            user=owner, partnership=partnership, framework=framework, marking=marking
        )


def small_bank_data(*, slug="small", version=1, questions_per_dimension=2) -> dict:
    """A minimal valid bank: two dimensions of Likert questions."""
    return likert_bank(slug=slug, version=version, questions_per_dimension=questions_per_dimension)


def value_for(question, pick=lambda choices: choices[-1], number=None) -> AnswerValue:
    """A value for a question spec: a choice picked from its options, a number, a text."""
    if question.kind == "multi":
        return AnswerValue(choice_ids=frozenset(c.id for c in question.choices))
    if question.has_choices:
        return AnswerValue(choice_ids=frozenset([pick(list(question.choices)).id]))
    if question.kind == "numeric":
        return AnswerValue(number=question.max_value if number is None else number)
    return AnswerValue(text="Evidence text.")


def save_answers(assessment, user, values: dict):
    """Save answers through the service, by question code: {code: AnswerValue}."""
    bank = bank_spec(assessment.framework)
    return answers_save(
        assessment=assessment,
        user=user,
        changes=[
            AnswerChange(bank.question_by_code[code], value, 0) for code, value in values.items()
        ],
    )


def answer_all(assessment, user, *, pick=lambda choices: choices[-1], number=None):
    """Answer every question of an assessment (the highest option by default)."""
    bank = bank_spec(assessment.framework)
    return save_answers(
        assessment, user, {q.code: value_for(q, pick, number) for q in bank.questions}
    )


def login(client, user):
    client.force_login(user)
    return client


def safeguard_bank_data(*, slug="safeguards", version=1) -> dict:
    """Two dimensions of two Likert questions each, with methodology v2's red line
    (d0-000 below 0.5 caps d0 at 30) and conditions (bilateral needs d1-000 >= 0.75;
    multilateral needs d1-001 >= 1)."""
    from frameworks.io import validate_bank

    data = likert_bank(slug=slug, version=version)
    data["red_lines"] = [
        {"question": "d0-000", "below": 0.5, "cap": 30, "reason": "Safeguard missing (HRDDP)."}
    ]
    conditions = {
        "bilateral": [{"question": "d1-000", "at_least": 0.75, "why": "A written agreement."}],
        "multilateral": [{"question": "d1-001", "at_least": 1.0, "why": "A standing forum."}],
    }
    for model in data["models"]:
        model["conditions"] = conditions.get(model["code"], [])
    return validate_bank(data, source=slug)
