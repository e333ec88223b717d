from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from frameworks.models import Framework, Question
from frameworks.selectors import published_frameworks

from .models import Answer, Partnership
from .services import AnswerInput, answer_problems

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


class QuestionnaireForm(forms.Form):
    """The answers to a set of questions (one dimension, or one question for autosave).

    Fields per question q: q<id>_value, q<id>_na (if allowed), q<id>_comment and
    the hidden q<id>_version the page was rendered with. No answer is required
    here: the analyst saves partial work, and the review page lists what is missing.
    """

    def __init__(self, *args, questions: list[Question], answers: dict[int, Answer], **kwargs):
        self.questions = questions
        self.answers = answers
        kwargs.setdefault("initial", {})
        for q in questions:
            kwargs["initial"].update(self._initial_for(q, answers.get(q.pk)))
        super().__init__(*args, **kwargs)
        for q in questions:
            self.fields[f"q{q.pk}_value"] = self._value_field(q)
            if q.allow_na:
                self.fields[f"q{q.pk}_na"] = forms.BooleanField(
                    label=_("Not applicable"), required=False
                )
            self.fields[f"q{q.pk}_comment"] = forms.CharField(
                label=_("Comment / evidence"),
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"q{q.pk}_version"] = forms.IntegerField(
                min_value=0, required=False, widget=forms.HiddenInput
            )

    @staticmethod
    def _initial_for(q: Question, answer: Answer | None) -> dict:
        if answer is None:
            return {f"q{q.pk}_version": 0}
        chosen = [str(c.pk) for c in answer.choices.all()]
        if q.kind == Question.Kind.MULTI:
            value = chosen
        elif q.has_choices:
            value = chosen[0] if chosen else None
        elif q.kind == Question.Kind.NUMERIC:
            value = answer.number
        else:
            value = answer.text
        return {
            f"q{q.pk}_value": value,
            f"q{q.pk}_na": answer.is_na,
            f"q{q.pk}_comment": answer.comment,
            f"q{q.pk}_version": answer.version,
        }

    @staticmethod
    def _value_field(q: Question) -> forms.Field:
        label = f"{q.code}. {q.text}"
        choices = [(str(c.pk), c.label) for c in q.choices.all()]
        if q.kind == Question.Kind.MULTI:
            return forms.MultipleChoiceField(
                label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
            )
        if q.has_choices:
            return forms.ChoiceField(
                label=label, choices=choices, required=False, widget=forms.RadioSelect
            )
        if q.kind == Question.Kind.NUMERIC:
            return forms.FloatField(
                label=label,
                required=False,
                min_value=q.min_value,
                max_value=q.max_value,
                widget=forms.NumberInput(attrs={"step": "any"}),
            )
        return forms.CharField(
            label=label, required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
        )

    def answer_input(self, q: Question) -> AnswerInput:
        data = self.cleaned_data
        raw = data.get(f"q{q.pk}_value")
        if q.kind == Question.Kind.MULTI:
            choice_ids = frozenset(int(v) for v in raw or [])
        elif q.has_choices:
            choice_ids = frozenset([int(raw)]) if raw else frozenset()
        else:
            choice_ids = frozenset()
        return AnswerInput(
            choice_ids=choice_ids,
            number=raw if q.kind == Question.Kind.NUMERIC else None,
            text=(raw or "").strip() if q.kind == Question.Kind.TEXT else "",
            is_na=bool(data.get(f"q{q.pk}_na")),
            comment=data.get(f"q{q.pk}_comment", "").strip(),
        )

    def base_version(self, q: Question) -> int:
        return self.cleaned_data.get(f"q{q.pk}_version") or 0

    def clean(self):
        cleaned = super().clean()
        for q in self.questions:
            if not q.allow_na and self.data.get(f"q{q.pk}_na"):
                self.add_error(f"q{q.pk}_value", _("This question cannot be answered N/A."))
                continue
            if any(f"q{q.pk}_{part}" in self.errors for part in ("value", "na", "comment")):
                continue
            for part, message in answer_problems(q, self.answer_input(q)).items():
                self.add_error(f"q{q.pk}_{part}", message)
        return cleaned

    def question_item(self, q: Question) -> dict:
        """Everything the question partial shows, read from the bound form.

        The questionnaire renders these with one lean template instead of a
        crispy template per field: a 60-question step has some 240 fields.
        """
        value = self[f"q{q.pk}_value"]
        current = value.value()
        item = {
            "question": q,
            "name": value.html_name,
            "id": value.auto_id,
            "label": value.label,
            "errors": list(value.errors),
            "options": [],
            "value": "",
        }
        if q.has_choices:
            selected = {str(v) for v in current} if isinstance(current, list) else {str(current)}
            item["input_type"] = "checkbox" if q.kind == Question.Kind.MULTI else "radio"
            item["options"] = [
                {
                    "value": str(c.pk),
                    "label": c.label,
                    "id": f"{value.auto_id}_{i}",
                    "checked": str(c.pk) in selected,
                }
                for i, c in enumerate(q.choices.all())
            ]
        elif q.kind == Question.Kind.NUMERIC:
            item["input_type"] = "number"
            item["value"] = _number_text(current)
        else:
            item["input_type"] = "textarea"
            item["value"] = current or ""
        if q.allow_na:
            na = self[f"q{q.pk}_na"]
            item["na"] = {
                "name": na.html_name,
                "id": na.auto_id,
                "checked": bool(na.value()),
                "errors": list(na.errors),
            }
        comment = self[f"q{q.pk}_comment"]
        item["comment"] = {
            "name": comment.html_name,
            "id": comment.auto_id,
            "value": comment.value() or "",
            "errors": list(comment.errors),
        }
        version = self[f"q{q.pk}_version"]
        item["version"] = {
            "name": version.html_name,
            "id": version.auto_id,
            "value": version.value(),
        }
        return item

    def with_versions(self, versions: dict[int, int]) -> None:
        """After a conflict: keep what was typed, but base the next save on the newer version."""
        data = self.data.copy()
        for qid, version in versions.items():
            data[f"q{qid}_version"] = str(version)
        self.data = data


def _number_text(value) -> str:
    """A stored float as typed (6, not 6.0); typed text is kept as it was."""
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)


class ReviewDecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
