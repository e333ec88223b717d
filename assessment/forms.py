from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from frameworks.models import Framework
from frameworks.selectors import published_frameworks

from . import answers
from .answers import AnswerValue
from .models import Answer, Partnership
from .scoring import BankSpec, QuestionSpec
from .selectors import AnswerRecord, AssessmentSnapshot, EarlierAnswer
from .services import AnswerChange, Conflict, Decision

# Every error key the question partial reads, present even when empty: a missing key
# costs the template engine two exceptions and a dir() on each of a page's ~700 lookups.
NO_ERRORS = {"value": "", "na": "", "confidence": "", "comment": "", "version": ""}
CONFIDENCE_LEVELS = Answer.Confidence.choices  # labels stay lazy: translated when shown

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
        seen, twice = set(), []
        for country in countries:
            key = country.casefold()
            if key in seen and country not in twice:
                twice.append(country)
            seen.add(key)
        if twice:
            raise forms.ValidationError(
                _("Each country once: %(twice)s is listed more than once.")
                % {"twice": ", ".join(twice)}
            )
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
    errors: dict = field(default_factory=lambda: NO_ERRORS)
    conflict: Conflict | None = None
    earlier: EarlierAnswer | None = None  # from the version the assessment was moved from

    @property
    def confidence_levels(self):
        return CONFIDENCE_LEVELS

    @property
    def options(self) -> list[dict]:
        """The inputs of a choice question, ready to print: a page has hundreds, and
        each lookup the template engine saves is time saved on every GET."""
        chosen, qid = self.value.choice_ids, self.question.id
        return [
            {
                "dom_id": f"q{qid}_value_{i}",
                "value": c.id,
                "label": c.label,
                "checked": c.id in chosen,
            }
            for i, c in enumerate(self.question.choices)
        ]

    @property
    def labels(self) -> dict[str, str]:
        return question_labels()

    @property
    def input_type(self) -> str:
        """The input of each option: ticks for multiple choice, one pick otherwise."""
        return "checkbox" if self.question.kind == "multi" else "radio"


def question_labels() -> dict[str, str]:
    """The question partial's fixed words, translated once per language: a page of 60
    questions asked for about 500 translations per GET."""
    return _question_labels(get_language())


@cache
def _question_labels(language: str) -> dict[str, str]:
    return {
        "required": gettext("required"),
        "not_applicable": gettext("Not applicable"),
        "confidence": gettext("Confidence"),
        "not_stated": gettext("Not stated"),
        "comment": gettext("Comment / evidence"),
        "guidance": gettext("Guidance"),
        "sources": gettext("Sources"),
        "required_question": gettext("Required"),
        "optional_question": gettext("Optional"),
        "not_scored": gettext("context, not scored"),
    }


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
                errors={**NO_ERRORS, **form.errors[q.id]}
                if form and q.id in form.errors
                else NO_ERRORS,
                conflict=conflict,
                earlier=earlier.get(q.code),
            )
        )
    return items


def number_text_of(value: AnswerValue) -> str:
    return "" if value.number is None else answers.number_text(value.number)


class ReviewDecisionForm(forms.Form):
    # As long as an answer's comment: it heads the returned questionnaire.
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def read_what_if(bank: BankSpec, data) -> tuple[dict[int, AnswerValue], dict[int, str]]:
    """Hypothetical answers to every scored question from the what-if form (fields
    `w<id>`; "na" for not applicable). Nothing here is ever stored."""
    values: dict[int, AnswerValue] = {}
    errors: dict[int, str] = {}
    for q in bank.questions:
        if not q.is_scored:
            continue
        raw = [v for v in data.getlist(f"w{q.id}") if v != ""]
        if raw == ["na"] and q.allow_na:
            values[q.id] = AnswerValue(is_na=True)
            continue
        fields, error = answers.kind_of(q).read(q, raw)
        value = AnswerValue(**fields)
        error = error or answers.problems(q, value).get("value")
        if error:
            errors[q.id] = error
        elif answers.has_value(q, value):
            values[q.id] = value
    return values, errors


class IndependentForm(forms.Form):
    """Choose the analysts who answer independently (the owner may be one)."""

    respondents = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Respondents"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input me-2"}),
        help_text=_(
            "Two to eight analysts of the team. Each answers the whole questionnaire alone; "
            "nobody sees the others' answers until every respondent has submitted."
        ),
    )

    def __init__(self, *args, users, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["respondents"].queryset = users
        self.fields["respondents"].label_from_instance = lambda u: (
            f"{u.get_username()} ({_('you')})" if u.pk == owner.pk else u.get_username()
        )


def read_reconciliation(snapshot: AssessmentSnapshot, data):
    """The owner's decisions from the reconciliation form: per question `r<id>_pick`
    ("s<respondent id>" to take that respondent's answer, "other" to enter another with
    `r<id>_value` / `r<id>_na`, "none" to leave it unanswered) and `r<id>_rationale`."""
    active = {f"s{r.pk}": r for r in snapshot.sets.active}
    decisions, errors = [], {}
    for row in snapshot.agreement.questions:
        q = row.question
        pick = data.get(f"r{q.id}_pick", "")
        rationale = data.get(f"r{q.id}_rationale", "").strip()
        problems = []
        if len(rationale) > answers.COMMENT_MAX_LENGTH:
            problems.append(
                _("Keep the rationale under %(n)d characters.") % {"n": answers.COMMENT_MAX_LENGTH}
            )
        value, source = None, None
        if pick in active:
            source = active[pick]
            value = snapshot.sets.of(source).get(q.id)
            if value is None:
                problems.append(_("That respondent did not answer this question."))
        elif pick == "other":
            fields, error = answers.kind_of(q).read(q, data.getlist(f"r{q.id}_value"))
            value = AnswerValue(**fields, is_na=data.get(f"r{q.id}_na") == "on")
            problems.extend([error] if error else answers.problems(q, value).values())
            if not error and not answers.has_value(q, value):
                problems.append(_("Enter the other answer, or choose one of theirs."))
        elif pick not in ("", "none"):
            problems.append(_("Choose one of the answers offered."))
        if problems:
            errors[q.code] = problems
        elif value is not None:
            decisions.append(Decision(q, value, rationale, source))
    return decisions, errors
