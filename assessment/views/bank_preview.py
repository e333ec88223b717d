"""The bank editor's preview: questions exactly as an analyst sees them.

It lives in the analyst app because it renders the questionnaire's own partial from
the same reads (`bank_spec`, `QuestionItem`), which the frameworks app may not
import. Access is the bank editor's (`frameworks.access.bank_for`). The inputs are
disabled and the partial is rendered without autosave, so nothing can be sent.
"""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from frameworks.access import bank_for

from ..answers import AnswerValue
from ..forms import QuestionItem
from ..scoring import QuestionSpec
from ..selectors import bank_spec


def preview_item(question: QuestionSpec) -> QuestionItem:
    return QuestionItem(question=question, value=AnswerValue(), number_text="", version=0)


@never_cache
def preview(request, slug, version, step: str | None = None):
    framework = bank_for(request.user, slug, version)
    dimensions = bank_spec(framework).dimensions
    if step is None:
        index = 0
    else:
        index = next((i for i, d in enumerate(dimensions) if d.code == step), None)
        if index is None:
            raise Http404
    dimension = dimensions[index] if dimensions else None
    return render(
        request,
        "assessment/bank_preview.html",
        {
            "framework": framework,
            "dimensions": dimensions,
            "dimension": dimension,
            "index": index,
            "previous": dimensions[index - 1] if index > 0 else None,
            "next": dimensions[index + 1] if index + 1 < len(dimensions) else None,
            "items": [preview_item(q) for q in dimension.questions] if dimension else [],
        },
    )


@never_cache
def preview_question(request, slug, version, question_id):
    framework = bank_for(request.user, slug, version)
    question = bank_spec(framework).question_by_id.get(question_id)
    if question is None:
        raise Http404
    if not request.htmx:
        url = reverse("assessment:bank_preview_step", args=[slug, version, question.dimension])
        return redirect(f"{url}#question-{question.id}")
    return render(request, "assessment/_question_preview.html", {"item": preview_item(question)})
