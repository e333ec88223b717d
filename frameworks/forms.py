"""Forms of the bank editor: they parse and bound what a person types; the services
check the rest (model validation) and the validator checks the bank as a whole."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row
from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from .io import CODE_RE
from .models import Dimension, Framework, Question

TEXT_MAX = 4000
QUESTION_TEXT_MAX = 1000
REFERENCE_MAX = 500
REFERENCES_MAX = 30

code_validator = RegexValidator(
    CODE_RE, _("Use letters, digits, '.', '_' or '-', starting with a letter or digit.")
)


def _text(label, *, required=True, max_length=TEXT_MAX, rows=3, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


def _number(label, *, low=None, high=None, required=True, help_text=""):
    return forms.FloatField(
        label=label, required=required, min_value=low, max_value=high, help_text=help_text
    )


def _share(label, help_text):
    """A question score between 0 (excluded) and 1."""
    field = _number(label, low=0, high=1, help_text=help_text)
    field.widget.attrs["step"] = "any"
    return field


def _row(**widths: int) -> Row:
    """Fields side by side on wide screens: name=width in twelfths."""
    return Row(*(Column(name, css_class=f"col-md-{width}") for name, width in widths.items()))


class BankForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = _text(_("Description"), required=False)
    ready_at = _number(
        _("Within reach at readiness"),
        low=0,
        high=100,
        help_text=_("A model is within reach from this readiness on (0-100), conditions met."),
    )


class DimensionAddForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)


class DimensionForm(DimensionAddForm):
    description = _text(_("Description"), required=False)
    weight = _number(_("Weight"), help_text=_("Greater than 0."))


class QuestionAddForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40, validators=[code_validator])
    text = _text(_("Question"), max_length=QUESTION_TEXT_MAX, rows=2)
    kind = forms.ChoiceField(label=_("Kind"), choices=Question.Kind.choices)


class QuestionForm(QuestionAddForm):
    dimension = forms.ModelChoiceField(
        label=_("Dimension"), queryset=Dimension.objects.none(), empty_label=None
    )
    guidance = _text(_("Guidance"), required=False, rows=4)
    weight = _number(_("Weight"), help_text=_("Greater than 0."))
    required = forms.BooleanField(label=_("Required"), required=False)
    allow_na = forms.BooleanField(label=_("N/A allowed"), required=False)
    scored = forms.BooleanField(
        label=_("Scored"), required=False, help_text=_("Off for context questions.")
    )
    references = _text(
        _("References"),
        required=False,
        max_length=REFERENCE_MAX * REFERENCES_MAX,
        help_text=_("One source per line."),
    )
    min_value = _number(_("Minimum (numeric)"), required=False)
    max_value = _number(_("Maximum (numeric)"), required=False)
    unit = forms.CharField(label=_("Unit (numeric)"), max_length=40, required=False)

    def __init__(self, *args, framework: Framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dimension"].queryset = framework.dimensions.all()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            _row(code=3, kind=4, dimension=5),
            "text",
            "guidance",
            _row(weight=3, required=3, allow_na=3, scored=3),
            Field("references", rows=3),
            _row(min_value=4, max_value=4, unit=4),
        )

    def clean_references(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["references"].splitlines()]
        references = [line for line in lines if line]
        if len(references) > REFERENCES_MAX:
            raise forms.ValidationError(
                _("At most %(n)d references.") % {"n": REFERENCES_MAX}, code="too_many"
            )
        if any(len(reference) > REFERENCE_MAX for reference in references):
            raise forms.ValidationError(
                _("Keep each reference under %(n)d characters.") % {"n": REFERENCE_MAX},
                code="too_long",
            )
        return references


class ChoiceForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=300)
    score = _number(_("Score"), low=0, high=100, help_text=_("0 to 100."))


class RecommendationForm(forms.Form):
    below = _number(_("Applies below score"), low=0, high=100, help_text=_("Above 0, at most 100."))
    text = _text(_("Recommendation"))


class _QuestionRuleForm(forms.Form):
    question = forms.ModelChoiceField(
        label=_("Question"), queryset=Question.objects.none(), to_field_name="code"
    )

    def __init__(self, *args, framework: Framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = framework.questions.order_by(
            "dimension__order", "order", "pk"
        )
        self.fields["question"].label_from_instance = lambda q: f"{q.code}: {q.text[:80]}"


class RedLineForm(_QuestionRuleForm):
    below = _share(_("Triggered below question score"), _("Above 0, at most 1 (a question score)."))
    cap = _number(_("Dimension capped at"), low=0, high=100, help_text=_("0 to 100."))
    reason = _text(_("Reason"))


class ConditionForm(_QuestionRuleForm):
    at_least = _share(_("Met from question score"), _("Above 0, at most 1 (a question score)."))
    why = _text(_("Why"))


class CooperationModelForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = _text(_("Description"))
    strengths = _text(_("Strengths"))
    weaknesses = _text(_("Weaknesses"))


class ProfileForm(forms.Form):
    target = _number(_("Target score"), low=0, high=100, help_text=_("0 to 100."))
    rationale = _text(_("Rationale"))


class ProfileAddForm(ProfileForm):
    dimension = forms.ModelChoiceField(
        label=_("Dimension"), queryset=Dimension.objects.none(), empty_label=None
    )

    def __init__(self, *args, framework: Framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dimension"].queryset = framework.dimensions.all()


class BandForm(forms.Form):
    min_score = _number(_("From score"), low=0, high=100)
    max_score = _number(_("To score"), low=0, high=100)
    label = forms.CharField(label=_("Label"), max_length=100)
    description = _text(_("Description"), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("YAML file"))
    replace_draft = forms.BooleanField(
        label=_("Replace a draft with the same slug and version"), required=False
    )


MOVE_DIRECTIONS = [("up", _("Up")), ("down", _("Down"))]


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=MOVE_DIRECTIONS)
