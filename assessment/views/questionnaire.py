"""The step-by-step questionnaire: one page per dimension, autosave per question."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from frameworks.models import Dimension, Question

from ..access import assessment_for, can_edit
from ..forms import QuestionnaireForm
from ..models import Answer
from ..selectors import answer_value, answers_by_question, bank_spec, progress
from ..services import AnswerConflict, answer_save


def _dimensions(assessment) -> list[Dimension]:
    return list(Dimension.objects.filter(framework_id=assessment.framework_id))


def _questions(dimension: Dimension) -> list[Question]:
    return list(dimension.questions.prefetch_related("choices"))


def questionnaire(request, pk, step: str | None = None):
    editing = request.method == "POST"
    assessment = assessment_for(request.user, pk, to_edit=editing)
    if not editing and not can_edit(request.user, assessment):
        return redirect("assessment:review", pk=assessment.pk)
    dimensions = _dimensions(assessment)
    if step is None:
        dimension = dimensions[0]
    else:
        dimension = next((d for d in dimensions if d.code == step), None)
        if dimension is None:
            raise Http404
    index = dimensions.index(dimension)
    questions = _questions(dimension)
    answers = answers_by_question(assessment)
    form = QuestionnaireForm(request.POST or None, questions=questions, answers=answers)
    status = 200
    conflicts: dict[int, Answer] = {}
    if editing:
        if form.is_valid():
            for q in questions:
                try:
                    answers[q.pk] = answer_save(
                        assessment=assessment,
                        question=q,
                        user=request.user,
                        value=form.answer_input(q),
                        base_version=form.base_version(q),
                    )
                except AnswerConflict as conflict:
                    conflicts[q.pk] = conflict.current
            if not conflicts:
                return _after_save(request, assessment, dimensions, index)
            form.with_versions({qid: a.version for qid, a in conflicts.items()})
            status = 409
            messages.error(
                request,
                _(
                    "Some answers were changed by someone else meanwhile; see below. "
                    "Your other answers were saved."
                ),
            )
        else:
            status = 400
            messages.error(
                request, _("Nothing was saved: please correct the answers marked below.")
            )
    bank = bank_spec(assessment.framework)
    prog = progress(bank, {qid: answer_value(a) for qid, a in answers.items()})
    return render(
        request,
        "assessment/questionnaire.html",
        {
            "assessment": assessment,
            "dimension": dimension,
            "dimensions": [(d, prog[d.code]) for d in dimensions],
            "progress": prog,
            "previous": dimensions[index - 1] if index > 0 else None,
            "next": dimensions[index + 1] if index + 1 < len(dimensions) else None,
            "form": form,
            "items": [
                {**form.question_item(q), "conflict": conflicts.get(q.pk)} for q in questions
            ],
        },
        status=status,
    )


def _after_save(request, assessment, dimensions, index):
    action = request.POST.get("action", "save")
    if action == "next":
        if index + 1 < len(dimensions):
            return redirect(
                "assessment:questionnaire_step", assessment.pk, dimensions[index + 1].code
            )
        return redirect("assessment:review", pk=assessment.pk)
    if action == "previous" and index > 0:
        return redirect("assessment:questionnaire_step", assessment.pk, dimensions[index - 1].code)
    messages.success(request, _("Answers saved."))
    return redirect("assessment:questionnaire_step", assessment.pk, dimensions[index].code)


@require_POST
def autosave(request, pk, question_id):
    """Save one question (htmx). Answers with a small status fragment."""
    assessment = assessment_for(request.user, pk, to_edit=True)
    question = get_object_or_404(
        Question.objects.prefetch_related("choices"),
        pk=question_id,
        framework_id=assessment.framework_id,
    )
    answers = {
        a.question_id: a
        for a in Answer.objects.filter(assessment=assessment, question=question).prefetch_related(
            "choices"
        )
    }
    form = QuestionnaireForm(request.POST, questions=[question], answers=answers)
    context = {"question": question, "assessment": assessment}
    if not form.is_valid():
        errors = [e for field in form.errors.values() for e in field]
        return render(
            request, "assessment/_autosave_status.html", {**context, "errors": errors}, status=422
        )
    try:
        answer = answer_save(
            assessment=assessment,
            question=question,
            user=request.user,
            value=form.answer_input(question),
            base_version=form.base_version(question),
        )
    except AnswerConflict as conflict:
        return render(
            request,
            "assessment/_autosave_status.html",
            {**context, "conflict": conflict.current},
            status=409,
        )
    except ValidationError as exc:
        return render(
            request,
            "assessment/_autosave_status.html",
            {**context, "errors": exc.messages},
            status=422,
        )
    return render(request, "assessment/_autosave_status.html", {**context, "answer": answer})
