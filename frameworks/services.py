"""Writes to question banks. The bank editor, the commands and the tests all call these."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .io import (
    DEFAULT_CHOICES,
    BankProblem,
    BankValidationError,
    framework_to_dict,
    validate_bank,
)
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


@transaction.atomic
def framework_discard(*, framework: Framework) -> None:
    """Delete a draft that is no longer wanted (published versions refuse)."""
    framework.delete()


# Editing a draft -------------------------------------------------------------------
# One function per edit of the bank editor. Each part refuses to be saved or deleted,
# one by one or in bulk, unless its framework is a draft (models.FrameworkPart), so
# none of these can change a published bank.

UP, DOWN = "up", "down"


def _save(part, **fields):
    for name, value in fields.items():
        setattr(part, name, value)
    part.full_clean()
    part.save()
    return part


def _next_order(queryset) -> int:
    top = queryset.aggregate(top=Max("order"))["top"]
    return 0 if top is None else top + 1


def _move(part, siblings, direction: str) -> None:
    """Swap a part with its neighbour among `siblings` and number them 0, 1, 2, ..."""
    if direction not in (UP, DOWN):
        raise ValidationError(_("Move up or down."), code="direction")
    ordered = list(siblings)
    index = next(i for i, sibling in enumerate(ordered) if sibling.pk == part.pk)
    other = index - 1 if direction == UP else index + 1
    if not 0 <= other < len(ordered):
        raise ValidationError(
            _("It is already the first.") if direction == UP else _("It is already the last."),
            code="edge",
        )
    ordered[index], ordered[other] = ordered[other], ordered[index]
    changed = []
    for position, sibling in enumerate(ordered):
        if sibling.order != position:
            sibling.order = position
            changed.append(sibling)
    bulk_update_with_history(changed, type(part), ["order"])


def _refuse_if_rules_use(questions) -> None:
    """Red lines and model conditions rest on questions: deleting one would silently
    drop a safeguard, so it is refused until the rule is removed or moved."""
    codes = sorted(
        {rule.question.code for rule in RedLine.objects.filter(question__in=questions)}
        | {rule.question.code for rule in ModelCondition.objects.filter(question__in=questions)}
    )
    if codes:
        raise ValidationError(
            _("Used by a red line or a model condition: %(codes)s. Remove those first.")
            % {"codes": ", ".join(codes)},
            code="in_use",
        )


@transaction.atomic
def framework_update(
    *, framework: Framework, title: str, description: str, ready_at: float
) -> Framework:
    return _save(framework, title=title, description=description, ready_at=ready_at)


# Dimensions


@transaction.atomic
def dimension_add(*, framework: Framework, code: str, name: str) -> Dimension:
    order = _next_order(framework.dimensions.all())
    return _save(Dimension(framework=framework, order=order), code=code, name=name)


@transaction.atomic
def dimension_update(
    *, dimension: Dimension, code: str, name: str, description: str, weight: float
) -> Dimension:
    return _save(dimension, code=code, name=name, description=description, weight=weight)


@transaction.atomic
def dimension_delete(*, dimension: Dimension) -> None:
    _refuse_if_rules_use(dimension.questions.all())
    dimension.delete()


@transaction.atomic
def dimension_move(*, dimension: Dimension, direction: str) -> None:
    siblings = Dimension.objects.filter(framework_id=dimension.framework_id)
    _move(dimension, siblings, direction)


# Questions


def _default_choices(question: Question) -> None:
    """Likert and yes/no questions get their fixed scale when they have no choices."""
    scale = DEFAULT_CHOICES.get(question.kind)
    if scale and not question.choices.exists():
        # The question was just saved, so its bank is a draft; the scale is valid.
        bulk_create_with_history(
            [Choice(question=question, order=i, **choice) for i, choice in enumerate(scale)],
            Choice,
        )


@transaction.atomic
def question_add(*, dimension: Dimension, code: str, text: str, kind: str) -> Question:
    question = Question(
        framework_id=dimension.framework_id,
        dimension=dimension,
        order=_next_order(dimension.questions.all()),
    )
    _save(question, code=code, text=text, kind=kind)
    _default_choices(question)
    return question


@transaction.atomic
def question_update(
    *,
    question: Question,
    code: str,
    text: str,
    guidance: str,
    kind: str,
    weight: float,
    required: bool,
    allow_na: bool,
    scored: bool,
    references: list[str],
    min_value: float | None = None,
    max_value: float | None = None,
    unit: str = "",
    dimension: Dimension | None = None,
) -> Question:
    """Change a question. A range and unit are kept for numeric questions only; a
    question that stops having choices loses them; a new Likert or yes/no question
    gets its fixed scale. Moving it to another dimension puts it last there."""
    fields, old_kind = {}, question.kind
    if dimension is not None and dimension.pk != question.dimension_id:
        if dimension.framework_id != question.framework_id:
            raise ValidationError({"dimension": _("The dimension belongs to another bank.")})
        fields = {"dimension": dimension, "order": _next_order(dimension.questions.all())}
    if kind != Question.Kind.NUMERIC:
        min_value, max_value, unit = None, None, ""
    _save(
        question,
        code=code,
        text=text,
        guidance=guidance,
        kind=kind,
        weight=weight,
        required=required,
        allow_na=allow_na,
        scored=scored,
        references=[r.strip() for r in references if r.strip()],
        min_value=min_value,
        max_value=max_value,
        unit=unit,
        **fields,
    )
    if kind != old_kind:
        if not question.has_choices:
            for choice in question.choices.all():
                choice.delete()
        _default_choices(question)
    return question


@transaction.atomic
def question_delete(*, question: Question) -> None:
    _refuse_if_rules_use([question])
    question.delete()


@transaction.atomic
def question_move(*, question: Question, direction: str) -> None:
    siblings = Question.objects.filter(dimension_id=question.dimension_id)
    _move(question, siblings, direction)


# Choices


def _require_choices(question: Question) -> None:
    if not question.has_choices:
        raise ValidationError(
            _("A %(kind)s question has no choices.") % {"kind": question.get_kind_display()},
            code="no_choices",
        )


@transaction.atomic
def choice_add(*, question: Question, label: str, score: float) -> Choice:
    _require_choices(question)
    order = _next_order(question.choices.all())
    return _save(Choice(question=question, order=order), label=label, score=score)


@transaction.atomic
def choice_update(*, choice: Choice, label: str, score: float) -> Choice:
    return _save(choice, label=label, score=score)


@transaction.atomic
def choice_delete(*, choice: Choice) -> None:
    choice.delete()


@transaction.atomic
def choice_move(*, choice: Choice, direction: str) -> None:
    siblings = Choice.objects.filter(question_id=choice.question_id)
    _move(choice, siblings, direction)


# Recommendations (per dimension)


@transaction.atomic
def recommendation_add(*, dimension: Dimension, below: float, text: str) -> Recommendation:
    recommendation = Recommendation(
        framework_id=dimension.framework_id,
        dimension=dimension,
        order=_next_order(dimension.recommendations.all()),
    )
    return _save(recommendation, below=below, text=text)


@transaction.atomic
def recommendation_update(
    *, recommendation: Recommendation, below: float, text: str
) -> Recommendation:
    return _save(recommendation, below=below, text=text)


@transaction.atomic
def recommendation_delete(*, recommendation: Recommendation) -> None:
    recommendation.delete()


# Red lines


def _same_bank(question: Question, framework_id: int) -> None:
    if question.framework_id != framework_id:
        raise ValidationError({"question": _("The question belongs to another bank.")})


@transaction.atomic
def red_line_add(
    *, framework: Framework, question: Question, below: float, cap: float, reason: str
) -> RedLine:
    _same_bank(question, framework.pk)
    red_line = RedLine(framework=framework, order=_next_order(framework.red_lines.all()))
    return _save(red_line, question=question, below=below, cap=cap, reason=reason)


@transaction.atomic
def red_line_update(
    *, red_line: RedLine, question: Question, below: float, cap: float, reason: str
) -> RedLine:
    _same_bank(question, red_line.framework_id)
    return _save(red_line, question=question, below=below, cap=cap, reason=reason)


@transaction.atomic
def red_line_delete(*, red_line: RedLine) -> None:
    red_line.delete()


# Cooperation models: their texts, a target and rationale per dimension, conditions


@transaction.atomic
def model_update(
    *, model: CooperationModel, name: str, description: str, strengths: str, weaknesses: str
) -> CooperationModel:
    return _save(
        model, name=name, description=description, strengths=strengths, weaknesses=weaknesses
    )


@transaction.atomic
def profile_add(
    *, model: CooperationModel, dimension: Dimension, target: float, rationale: str
) -> ModelProfile:
    """The target of a model for a dimension that has none yet (a new dimension)."""
    return _save(ModelProfile(model=model, dimension=dimension), target=target, rationale=rationale)


@transaction.atomic
def profile_update(*, profile: ModelProfile, target: float, rationale: str) -> ModelProfile:
    return _save(profile, target=target, rationale=rationale)


@transaction.atomic
def condition_add(
    *, model: CooperationModel, question: Question, at_least: float, why: str
) -> ModelCondition:
    _same_bank(question, model.framework_id)
    condition = ModelCondition(model=model, order=_next_order(model.conditions.all()))
    return _save(condition, question=question, at_least=at_least, why=why)


@transaction.atomic
def condition_update(
    *, condition: ModelCondition, question: Question, at_least: float, why: str
) -> ModelCondition:
    _same_bank(question, condition.model.framework_id)
    return _save(condition, question=question, at_least=at_least, why=why)


@transaction.atomic
def condition_delete(*, condition: ModelCondition) -> None:
    condition.delete()


# Maturity bands


@transaction.atomic
def band_add(
    *, framework: Framework, min_score: float, max_score: float, label: str, description: str = ""
) -> MaturityBand:
    band = MaturityBand(framework=framework)
    return _save(
        band, min_score=min_score, max_score=max_score, label=label, description=description
    )


@transaction.atomic
def band_update(
    *, band: MaturityBand, min_score: float, max_score: float, label: str, description: str
) -> MaturityBand:
    return _save(
        band, min_score=min_score, max_score=max_score, label=label, description=description
    )


@transaction.atomic
def band_delete(*, band: MaturityBand) -> None:
    band.delete()
