from collections.abc import Sequence
from dataclasses import dataclass, field

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from frameworks.models import Framework
from frameworks.selectors import published_frameworks

from . import answers
from .answers import AnswerValue
from .models import Answer, Partnership
from .scoring import QuestionSpec
from .selectors import AnswerRecord, AssessmentSnapshot, EarlierAnswer
from .services import AnswerChange, Conflict

MARKING_SUGGESTIONS = ["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "NATO UNCLASSIFIED"]


class PartnershipForm(forms.ModelForm):
    class Meta:
        model = Partnership
        fields = ["name", "countries", "declared_model", "description", "team"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["team"].empty_label = None
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save partnership")))

    def clean_countries(self):
        countries = [c.strip() for c in self.cleaned_data["countries"].split(",") if c.strip()]
        if len(countries) < 2:
            raise forms.ValidationError(_("Name at least two partner countries, comma-separated."))
        return ", ".join(countries)


class AssessmentCreateForm(forms.Form):
    partnership = forms.ModelChoiceField(
        queryset=Partnership.objects.none(), label=_("Partnership")
    )
    framework = forms.ModelChoiceField(
        queryset=Framework.objects.none(), label=_("Question bank"), empty_label=None
    )
    marking = forms.CharField(
        label=_("Handling marking"),
        max_length=100,
        initial="UNCLASSIFIED",
        help_text=_("Printed on every page of the report, e.g. UNCLASSIFIED or RESTRICTED."),
        widget=forms.TextInput(attrs={"list": "marking-suggestions"}),
    )

    def __init__(self, *args, partnerships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = partnerships
        frameworks = published_frameworks()
        self.fields["framework"].queryset = frameworks
        self.fields["framework"].initial = frameworks.first()
        self.helper = FormHelper()
        self.helper.add_input(Submit("start", _("Start assessment")))


class AnswersForm:
    """Posted answers for a set of questions: a questionnaire page, or one question
    for autosave. Each question is read by `answers.read_posted`; a form with
    errors must not be saved at all."""

    def __init__(self, questions: Sequence[QuestionSpec], data):
        self.questions = list(questions)
        self.data = data
        self.values: dict[int, AnswerValue] = {}
        self.versions: dict[int, int] = {}
        self.errors: dict[int, dict[str, str]] = {}
        for q in self.questions:
            value, found = answers.read_posted(q, data.getlist)
            version = answers.read_version(q, data.getlist)
            if version is None:
                found["version"] = _("This page is out of date: reload it before saving.")
            self.values[q.id] = value
            self.versions[q.id] = version or 0
            if found:
                self.errors[q.id] = found

    def is_valid(self) -> bool:
        return not self.errors

    def changes(self) -> list[AnswerChange]:
        return [AnswerChange(q, self.values[q.id], self.versions[q.id]) for q in self.questions]

    def typed_number(self, question: QuestionSpec) -> str:
        """A numeric answer as typed, kept when it could not be read."""
        values = self.data.getlist(f"q{question.id}_value")
        return values[-1] if values else ""


@dataclass(frozen=True)
class QuestionItem:
    """What the question partial shows: the question, the value in its inputs,
    the version the next save is based on, and any error or conflict."""

    question: QuestionSpec
    value: AnswerValue
    number_text: str
    version: int
    record: AnswerRecord | None = None
    errors: dict = field(default_factory=dict)
    conflict: Conflict | None = None
    earlier: EarlierAnswer | None = None  # from the version the assessment was moved from

    @property
    def confidence_levels(self):
        return Answer.Confidence.choices


def question_items(
    questions: Sequence[QuestionSpec],
    snapshot: AssessmentSnapshot,
    form: AnswersForm | None = None,
    conflicts: dict[int, Conflict] | None = None,
    earlier: dict[str, EarlierAnswer] | None = None,
) -> list[QuestionItem]:
    """Items from the stored answers, or from what was typed when a save failed."""
    conflicts = conflicts or {}
    earlier = earlier or {}
    items = []
    for q in questions:
        record = snapshot.records.get(q.id)
        conflict = conflicts.get(q.id)
        if form is None:
            value = snapshot.answers.get(q.id, AnswerValue())
            number_text = number_text_of(value)
            version = record.version if record else 0
        else:
            value = form.values[q.id]
            number_text = form.typed_number(q) if q.kind == "numeric" else ""
            version = conflict.record.version if conflict else form.versions[q.id]
        items.append(
            QuestionItem(
                question=q,
                value=value,
                number_text=number_text,
                version=version,
                record=record,
                errors=form.errors.get(q.id, {}) if form else {},
                conflict=conflict,
                earlier=earlier.get(q.code),
            )
        )
    return items


def number_text_of(value: AnswerValue) -> str:
    return "" if value.number is None else answers.number_text(value.number)


class ReviewDecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
