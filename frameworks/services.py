"""Writes to question banks. The admin, the commands and the tests all call these."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .io import BankProblem, BankValidationError, framework_to_dict, validate_bank
from .models import (
    Choice,
    CooperationModel,
    Dimension,
    Framework,
    FrameworkLocked,
    MaturityBand,
    ModelCondition,
    ModelProfile,
    Question,
    Recommendation,
    RedLine,
)


@transaction.atomic
def framework_import(*, data: dict, source: str, publish: bool = False) -> Framework:
    """Create a framework from a validated bank dict (see `io.parse_bank`).

    An existing draft with the same slug and version is replaced; a published or
    retired one is never touched and the import is refused.
    """
    existing = Framework.objects.filter(slug=data["slug"], version=data["version"]).first()
    if existing is not None:
        if not existing.is_draft:
            raise BankValidationError(
                source,
                [
                    BankProblem(
                        "version",
                        f"{data['slug']} version {data['version']} is already {existing.status};"
                        " use a new version number",
                    )
                ],
            )
        existing.delete()
    framework = _framework_create(data)
    if publish:
        framework = framework_publish(framework=framework)
    return framework


def _framework_create(data: dict) -> Framework:
    framework = Framework(
        slug=data["slug"],
        version=data["version"],
        title=data["title"],
        description=data["description"],
        ready_at=data["ready_at"],
    )
    framework.full_clean()
    framework.save()

    dimensions = Dimension.objects.bulk_create(
        Dimension(
            framework=framework,
            code=d["code"],
            name=d["name"],
            description=d["description"],
            weight=d["weight"],
            order=index,
        )
        for index, d in enumerate(data["dimensions"])
    )
    by_code = {dim.code: dim for dim in dimensions}

    questions, choice_specs, recommendations = [], [], []
    for dim, d in zip(dimensions, data["dimensions"], strict=True):
        for index, q in enumerate(d["questions"]):
            questions.append(
                Question(
                    framework=framework,
                    dimension=dim,
                    code=q["code"],
                    text=q["text"],
                    guidance=q["guidance"],
                    kind=q["kind"],
                    weight=q["weight"],
                    required=q["required"],
                    allow_na=q["allow_na"],
                    scored=q["scored"],
                    references=q["references"],
                    min_value=q["min"],
                    max_value=q["max"],
                    unit=q["unit"],
                    order=index,
                )
            )
            choice_specs.append(q["choices"])
        for index, r in enumerate(d["recommendations"]):
            recommendations.append(
                Recommendation(
                    framework=framework,
                    dimension=dim,
                    below=r["below"],
                    text=r["text"],
                    order=index,
                )
            )
    questions = Question.objects.bulk_create(questions)
    Choice.objects.bulk_create(
        Choice(question=question, label=c["label"], score=c["score"], order=index)
        for question, choices in zip(questions, choice_specs, strict=True)
        for index, c in enumerate(choices)
    )
    Recommendation.objects.bulk_create(recommendations)
    questions_by_code = {question.code: question for question in questions}
    RedLine.objects.bulk_create(
        RedLine(
            framework=framework,
            question=questions_by_code[r["question"]],
            below=r["below"],
            cap=r["cap"],
            reason=r["reason"],
            order=index,
        )
        for index, r in enumerate(data["red_lines"])
    )

    models = CooperationModel.objects.bulk_create(
        CooperationModel(
            framework=framework,
            code=m["code"],
            name=m["name"],
            description=m["description"],
            strengths=m["strengths"],
            weaknesses=m["weaknesses"],
            order=index,
        )
        for index, m in enumerate(data["models"])
    )
    ModelProfile.objects.bulk_create(
        ModelProfile(
            model=model,
            dimension=by_code[p["dimension"]],
            target=p["target"],
            rationale=p["rationale"],
        )
        for model, m in zip(models, data["models"], strict=True)
        for p in m["profile"]
    )
    ModelCondition.objects.bulk_create(
        ModelCondition(
            model=model,
            question=questions_by_code[c["question"]],
            at_least=c["at_least"],
            why=c["why"],
            order=index,
        )
        for model, m in zip(models, data["models"], strict=True)
        for index, c in enumerate(m["conditions"])
    )
    MaturityBand.objects.bulk_create(
        MaturityBand(
            framework=framework,
            min_score=b["min"],
            max_score=b["max"],
            label=b["label"],
            description=b["description"],
        )
        for b in data["maturity_bands"]
    )
    return framework


@transaction.atomic
def framework_publish(*, framework: Framework) -> Framework:
    """Freeze a draft. From now on nothing in it can change."""
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    if not framework.is_draft:
        raise FrameworkLocked(
            _("Only a draft can be published; %(fw)s is %(status)s.")
            % {"fw": f"{framework.slug} v{framework.version}", "status": framework.status},
            code="not_draft",
        )
    problems = _publish_problems(framework)
    if problems:
        raise BankValidationError(f"{framework.slug} v{framework.version}", problems)
    framework.status = Framework.Status.PUBLISHED
    framework.published_at = timezone.now()
    framework.full_clean()
    framework.save(update_fields=["status", "published_at"])
    return framework


def _publish_problems(framework: Framework) -> list[BankProblem]:
    """Edits made in the admin are checked once more, exactly as an import would be."""
    try:
        validate_bank(framework_to_dict(framework), source="")
    except BankValidationError as exc:
        return exc.problems
    return []


@transaction.atomic
def framework_new_version(*, framework: Framework) -> Framework:
    """Deep-copy a framework into a new draft with the next free version number."""
    data = validate_bank(framework_to_dict(framework), source=f"{framework.slug}")
    latest = Framework.objects.filter(slug=framework.slug).aggregate(v=Max("version"))["v"]
    data["version"] = latest + 1
    return _framework_create(data)


@transaction.atomic
def framework_retire(*, framework: Framework) -> Framework:
    if framework.status != Framework.Status.PUBLISHED:
        raise FrameworkLocked(_("Only a published version can be retired."), code="not_published")
    framework.status = Framework.Status.RETIRED
    framework.save(update_fields=["status"])
    return framework
