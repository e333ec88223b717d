"""Reads that need joins, each with a fixed number of queries."""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet

from frameworks.models import (
    CooperationModel,
    Dimension,
    Framework,
    MaturityBand,
    Question,
    Recommendation,
)

from . import scoring
from .models import Answer, Assessment

# Published and retired banks never change, so their scoring input is built once per
# process. The key includes published_at, so a reused primary key cannot hit.
_BANK_CACHE: dict[tuple[int, object], scoring.BankSpec] = {}
_BANK_CACHE_SIZE = 64


def bank_spec(framework: Framework) -> scoring.BankSpec:
    return bank_specs([framework])[framework.pk]


def bank_specs(frameworks: Iterable[Framework]) -> dict[int, scoring.BankSpec]:
    """Plain scoring input for several frameworks: cached, or built in five queries."""
    frameworks = {f.pk: f for f in frameworks}
    out, missing = {}, []
    for f in frameworks.values():
        key = (f.pk, f.published_at)
        if not f.is_draft and f.published_at and key in _BANK_CACHE:
            out[f.pk] = _BANK_CACHE[key]
        else:
            missing.append(f.pk)
    if missing:
        for pk, spec in _build_bank_specs(missing).items():
            out[pk] = spec
            f = frameworks[pk]
            if not f.is_draft and f.published_at:
                if len(_BANK_CACHE) >= _BANK_CACHE_SIZE:
                    _BANK_CACHE.clear()
                _BANK_CACHE[(pk, f.published_at)] = spec
    return out


def _build_bank_specs(framework_ids: Iterable[int]) -> dict[int, scoring.BankSpec]:
    ids = set(framework_ids)
    questions = defaultdict(list)
    for q in Question.objects.filter(framework_id__in=ids).prefetch_related("choices"):
        questions[q.dimension_id].append(
            scoring.QuestionSpec(
                id=q.pk,
                code=q.code,
                kind=q.kind,
                weight=q.weight,
                choices=tuple(scoring.ChoiceSpec(c.pk, c.score) for c in q.choices.all()),
                min_value=q.min_value,
                max_value=q.max_value,
                required=q.required,
            )
        )
    parts = defaultdict(lambda: {"dims": [], "models": [], "bands": [], "rules": []})
    codes = {}
    for d in Dimension.objects.filter(framework_id__in=ids):
        codes[d.pk] = d.code
        parts[d.framework_id]["dims"].append(
            scoring.DimensionSpec(d.code, d.name, d.weight, tuple(questions[d.pk]))
        )
    for m in CooperationModel.objects.filter(framework_id__in=ids).prefetch_related("profile"):
        targets = {codes[p.dimension_id]: p.target for p in m.profile.all()}
        parts[m.framework_id]["models"].append(scoring.ModelSpec(m.code, m.name, targets))
    for b in MaturityBand.objects.filter(framework_id__in=ids):
        parts[b.framework_id]["bands"].append(scoring.BandSpec(b.min_score, b.max_score, b.label))
    for r in Recommendation.objects.filter(framework_id__in=ids):
        parts[r.framework_id]["rules"].append(
            scoring.RuleSpec(codes[r.dimension_id], r.below, r.text)
        )
    return {
        fid: scoring.BankSpec(
            tuple(p["dims"]), tuple(p["models"]), tuple(p["bands"]), tuple(p["rules"])
        )
        for fid, p in parts.items()
    }


def answer_value(answer: Answer) -> scoring.AnswerValue:
    return scoring.AnswerValue(
        choice_ids=frozenset(c.pk for c in answer.choices.all()),
        number=answer.number,
        is_na=answer.is_na,
        text=answer.text,
    )


def answers_by_question(assessment: Assessment) -> dict[int, Answer]:
    answers = (
        Answer.objects.filter(assessment=assessment)
        .select_related("question", "updated_by")
        .prefetch_related("choices")
    )
    return {a.question_id: a for a in answers}


# Questions with their choices, for pages that list a whole bank.
QUESTIONS_WITH_CHOICES = Prefetch(
    "questions", queryset=Question.objects.prefetch_related("choices")
)


def dashboard_assessments(
    user, *, status: str = "", partnership: str = "", search: str = "", sort: str = ""
) -> QuerySet[Assessment]:
    sorts = {
        "updated": "-updated_at",
        "-updated": "updated_at",
        "partnership": "partnership__name",
        "-partnership": "-partnership__name",
        "status": "status",
        "-status": "-status",
        "created": "-created_at",
    }
    qs = Assessment.objects.visible_to(user).select_related("partnership", "framework", "owner")
    if status in Assessment.Status.values:
        qs = qs.filter(status=status)
    if partnership.isdigit():
        qs = qs.filter(partnership_id=int(partnership))
    if search:
        qs = qs.filter(
            Q(partnership__name__icontains=search)
            | Q(partnership__countries__icontains=search)
            | Q(owner__username__icontains=search)
            | Q(marking__icontains=search)
        )
    return qs.order_by(sorts.get(sort, "-updated_at"), "-pk")


def answer_values_for(assessment_ids: Iterable[int]) -> dict[int, dict[int, scoring.AnswerValue]]:
    """Scoring input for several assessments in two queries, without model instances
    (the page-sized dashboard reads hundreds of answers)."""
    ids = list(assessment_ids)
    chosen = defaultdict(set)
    through = Answer.choices.through.objects.filter(answer__assessment_id__in=ids)
    for answer_id, choice_id in through.values_list("answer_id", "choice_id"):
        chosen[answer_id].add(choice_id)
    out: dict[int, dict[int, scoring.AnswerValue]] = defaultdict(dict)
    rows = Answer.objects.filter(assessment_id__in=ids).values_list(
        "pk", "assessment_id", "question_id", "number", "is_na", "text"
    )
    for pk, assessment_id, question_id, number, is_na, text in rows:
        out[assessment_id][question_id] = scoring.AnswerValue(
            frozenset(chosen.get(pk, ())), number, is_na, text
        )
    return out


def scores_for(assessments: list[Assessment]) -> dict[int, tuple[scoring.AssessmentScore, dict]]:
    """Scores and per-dimension progress for a page of assessments, in fixed queries."""
    banks = bank_specs(a.framework for a in assessments)
    answers = answer_values_for(a.pk for a in assessments)
    out = {}
    for a in assessments:
        bank = banks[a.framework_id]
        out[a.pk] = (
            scoring.score_assessment(bank, answers[a.pk]),
            progress(bank, answers[a.pk]),
        )
    return out


def progress(bank: scoring.BankSpec, answers: dict[int, scoring.AnswerValue]) -> dict:
    """Answered / total questions per dimension code and overall ('total' key)."""
    out = {}
    done_all = total_all = 0
    for dim in bank.dimensions:
        done = sum(1 for q in dim.questions if scoring.is_answered(q, answers.get(q.id)))
        missing = [
            q.code
            for q in dim.questions
            if q.required and not scoring.is_answered(q, answers.get(q.id))
        ]
        out[dim.code] = {
            "done": done,
            "total": len(dim.questions),
            "percent": round(100 * done / len(dim.questions)) if dim.questions else 100,
            "missing_required": missing,
        }
        done_all += done
        total_all += len(dim.questions)
    out["total"] = {
        "done": done_all,
        "total": total_all,
        "percent": round(100 * done_all / total_all) if total_all else 100,
    }
    return out
