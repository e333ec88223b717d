"""The bank editor (/banks/): its services, pages, refusals, problems and query counts.

Who may use it is in test_bank_editor_access.py.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frameworks import services
from frameworks.io import BankValidationError, dump_bank, framework_to_dict, validate_bank
from frameworks.models import Choice, Framework, FrameworkLocked, Question
from frameworks.samples import likert_bank
from frameworks.selectors import bank_outline, bank_problems, without_ids

from .factories import UserFactory, login

HTMX = {"HX-Request": "true"}


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", role="bank editor")


@pytest.fixture
def draft(bank):
    """Version 2: a draft copy of the published default bank version 1."""
    return services.framework_new_version(framework=bank)


@pytest.fixture
def as_editor(client, editor):
    return login(client, editor)


def url(name, framework, *args):
    return reverse(f"banks:{name}", args=[framework.slug, framework.version, *args])


def stored(framework) -> str:
    return dump_bank(framework_to_dict(Framework.objects.get(pk=framework.pk)))


def question_post(question, **changes) -> dict:
    data = {
        "code": question.code,
        "text": question.text,
        "kind": question.kind,
        "dimension": question.dimension_id,
        "guidance": question.guidance,
        "weight": str(question.weight),
        "required": "on" if question.required else "",
        "allow_na": "on" if question.allow_na else "",
        "scored": "on" if question.scored else "",
        "references": "\n".join(question.references),
        "min_value": "" if question.min_value is None else str(question.min_value),
        "max_value": "" if question.max_value is None else str(question.max_value),
        "unit": question.unit,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


# Services ---------------------------------------------------------------------------


def test_every_edit_service_refuses_a_published_bank(bank):
    question = bank.questions.get(code="INT-01")
    dimension = question.dimension
    with pytest.raises(FrameworkLocked):
        services.question_update(**{**_question_fields(question), "text": "Changed"})
    with pytest.raises(FrameworkLocked):
        services.choice_add(question=question, label="New", score=1)
    with pytest.raises(FrameworkLocked):
        services.question_move(question=question, direction="down")
    with pytest.raises(FrameworkLocked):
        services.dimension_add(framework=bank, code="new", name="New")
    with pytest.raises(FrameworkLocked):
        services.question_delete(question=bank.questions.get(code="INT-02"))
    with pytest.raises(FrameworkLocked):
        services.framework_update(framework=bank, title="T", description="", ready_at=80)
    assert dimension.questions.count() == 9
    assert Question.objects.get(pk=question.pk).text != "Changed"


def _question_fields(question) -> dict:
    return {
        "question": question,
        "code": question.code,
        "text": question.text,
        "guidance": question.guidance,
        "kind": question.kind,
        "weight": question.weight,
        "required": question.required,
        "allow_na": question.allow_na,
        "scored": question.scored,
        "references": question.references,
        "min_value": question.min_value,
        "max_value": question.max_value,
        "unit": question.unit,
    }


def test_a_new_likert_question_gets_its_scale_and_goes_last(draft):
    dimension = draft.dimensions.get(code="intelligence")
    question = services.question_add(
        dimension=dimension, code="INT-99", text="Do they trust the channel?", kind="likert"
    )
    assert list(dimension.questions.values_list("code", flat=True))[-1] == "INT-99"
    assert [c.label for c in question.choices.all()][0] == "Strongly disagree"
    assert question.choices.count() == 5


def test_changing_the_kind_keeps_the_question_consistent(draft):
    question = draft.questions.get(code="INT-01")  # single choice with four options
    services.question_update(
        **{**_question_fields(question), "kind": "numeric", "min_value": 0, "max_value": 10}
    )
    assert question.choices.count() == 0
    services.question_update(**{**_question_fields(question), "kind": "yesno", "min_value": 5})
    question.refresh_from_db()
    assert (question.min_value, question.max_value) == (None, None)
    assert [c.label for c in question.choices.all()] == ["No", "Yes"]


def test_moving_renumbers_and_refuses_past_the_edge(draft):
    dimension = draft.dimensions.get(code="intelligence")
    first, second = dimension.questions.all()[:2]
    services.question_move(question=second, direction="up")
    codes = list(dimension.questions.values_list("code", flat=True))
    assert codes[:2] == [second.code, first.code]
    assert list(dimension.questions.values_list("order", flat=True)) == list(range(len(codes)))
    with pytest.raises(ValidationError, match="already the first"):
        services.question_move(question=Question.objects.get(pk=second.pk), direction="up")
    with pytest.raises(ValidationError, match="up or down"):
        services.question_move(question=second, direction="sideways")


def test_a_question_a_red_line_rests_on_cannot_be_deleted(draft):
    question = draft.questions.get(code="LEG-04")
    services.red_line_add(framework=draft, question=question, below=0.5, cap=20, reason="Safe.")
    with pytest.raises(ValidationError, match="LEG-04"):
        services.question_delete(question=question)
    with pytest.raises(ValidationError, match="LEG-04"):
        services.dimension_delete(dimension=question.dimension)
    assert draft.questions.filter(code="LEG-04").exists()


def test_rules_must_rest_on_a_question_of_the_same_bank(draft, bank):
    foreign = bank.questions.get(code="INT-01")
    with pytest.raises(ValidationError, match="another bank"):
        services.red_line_add(framework=draft, question=foreign, below=0.5, cap=20, reason="R.")
    model = draft.cooperation_models.first()
    with pytest.raises(ValidationError, match="another bank"):
        services.condition_add(model=model, question=foreign, at_least=0.5, why="W.")


# The validator on the draft -----------------------------------------------------------


def test_problems_are_the_validators_with_anchors_to_the_parts(draft):
    dimension = services.dimension_add(framework=draft, code="cyber", name="Cyber")
    data = framework_to_dict(draft, with_ids=True)
    assert without_ids(data) == framework_to_dict(draft)
    with pytest.raises(BankValidationError) as raised:
        validate_bank(framework_to_dict(draft), source="")
    problems = bank_problems(data)
    assert [(p.path, p.reason) for p in problems] == [
        (p.path, p.reason) for p in raised.value.problems
    ]
    anchors = {p.path: (p.anchor, p.where) for p in problems}
    assert anchors["dimensions[4].questions"] == (
        f"part-dimension-{dimension.pk}",
        "Dimension cyber › questions",
    )
    bilateral = draft.cooperation_models.get(code="bilateral")
    assert anchors["models[0].profile"] == (
        f"part-model-{bilateral.pk}",
        "Model bilateral › profile",
    )


def test_a_valid_draft_has_no_problems(draft):
    assert bank_outline(draft).problems == ()


# Pages ------------------------------------------------------------------------------


def test_bank_list_shows_versions_with_counts(as_editor, bank, draft, owner, partnership):
    from .factories import AssessmentFactory

    AssessmentFactory(partnership=partnership, owner=owner, framework=bank)
    page = as_editor.get(reverse("banks:list"))
    assert page.status_code == 200
    rows = page.context["banks"]["ct-cooperation"]
    assert [(f.version, f.status, f.question_count, f.assessment_count) for f in rows] == [
        (2, "draft", 38, 0),
        (1, "published", 38, 1),
    ]


def test_draft_page_shows_the_outline_and_no_problems(as_editor, draft):
    page = as_editor.get(url("bank", draft))
    content = page.content.decode()
    assert page.status_code == 200
    assert "No problems: the validator accepts this version." in content
    question = draft.questions.get(code="INT-01")
    assert f'id="part-question-{question.pk}"' in content
    assert url("part_edit", draft, "question", question.pk) in content


def test_published_page_is_read_only(as_editor, bank):
    content = as_editor.get(url("bank", bank)).content.decode()
    assert "is published and read-only: a published version never changes" in content
    assert "/edit/" not in content
    assert "/add/" not in content


def test_editing_a_question_in_place_renders_the_editor_again(as_editor, draft, editor):
    question = draft.questions.get(code="INT-01")
    form = as_editor.get(url("part_edit", draft, "question", question.pk), headers=HTMX)
    assert form.status_code == 200
    assert b'name="text"' in form.content
    response = as_editor.post(
        url("part_edit", draft, "question", question.pk),
        question_post(question, text="Which written arrangement governs sharing?"),
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#editor"
    assert b"Which written arrangement governs sharing?" in response.content
    assert b"No problems" in response.content
    question.refresh_from_db()
    assert question.text == "Which written arrangement governs sharing?"
    assert question.history.latest().history_user == editor


def test_without_javascript_an_edit_redirects_back_to_the_part(as_editor, draft):
    choice = Choice.objects.filter(question__framework=draft).first()
    response = as_editor.post(
        url("part_edit", draft, "choice", choice.pk), {"label": "L", "score": "0"}
    )
    assert response.status_code == 302
    assert response.url.endswith(f"#part-choice-{choice.pk}")
    page = as_editor.get(url("part_edit", draft, "choice", choice.pk))
    assert page.status_code == 200
    assert b"<html" in page.content  # a whole page, not a fragment


def test_a_change_that_makes_a_problem_shows_it_and_the_fix_removes_it(as_editor, draft):
    question = draft.questions.get(code="INT-01")
    choices = list(question.choices.all())
    for choice in choices[1:]:
        as_editor.post(url("part_delete", draft, "choice", choice.pk), headers=HTMX)
    response = as_editor.get(url("editor", draft), headers=HTMX)
    assert b"needs at least two choices with different scores" in response.content
    assert f'href="#part-question-{question.pk}"'.encode() in response.content
    publish = as_editor.post(url("publish", draft), follow=True)
    assert publish.redirect_chain[-1][1] == 302
    content = publish.content.decode()
    assert "Not published: 1 problem must be fixed first" in content
    assert content.count("needs at least two choices with different scores") == 1
    assert Framework.objects.get(pk=draft.pk).status == "draft"
    fixed = as_editor.post(
        url("add_to", draft, "question", question.pk, "choice"),
        {"label": "A formal agreement", "score": "3"},
        headers=HTMX,
    )
    assert b"needs at least two choices" not in fixed.content
    assert b"No problems" in fixed.content
    assert as_editor.post(url("publish", draft)).status_code == 302
    assert Framework.objects.get(pk=draft.pk).status == "published"


def test_add_move_and_delete_through_the_views(as_editor, draft):
    dimension = draft.dimensions.get(code="trust")
    response = as_editor.post(
        url("add_to", draft, "dimension", dimension.pk, "question"),
        {"code": "TRU-99", "text": "A new question?", "kind": "yesno"},
        headers=HTMX,
    )
    assert response.status_code == 200
    new = draft.questions.get(code="TRU-99")
    assert new.choices.count() == 2
    assert (
        as_editor.post(
            url("part_move", draft, "question", new.pk), {"direction": "up"}, headers=HTMX
        ).status_code
        == 200
    )
    assert list(dimension.questions.values_list("code", flat=True))[-2] == "TRU-99"
    assert (
        as_editor.post(url("part_delete", draft, "question", new.pk), headers=HTMX).status_code
        == 200
    )
    assert not draft.questions.filter(code="TRU-99").exists()


def test_every_kind_of_part_can_be_added_and_edited(as_editor, draft):
    """One pass over the parts the outline shows, through their views."""
    model = draft.cooperation_models.get(code="bilateral")
    new_dimension_code = "cyber"
    posts = [
        (url("settings", draft), {"title": "Renamed bank", "description": "", "ready_at": "85"}),
        (url("add", draft, "dimension"), {"code": new_dimension_code, "name": "Cyber"}),
        (url("add", draft, "red-line"),
         {"question": "LEG-04", "below": "0.5", "cap": "20", "reason": "Safeguard."}),
        (url("add", draft, "band"), {"min_score": "0", "max_score": "10", "label": "Nascent"}),
        (url("add_to", draft, "model", model.pk, "condition"),
         {"question": "INT-01", "at_least": "0.75", "why": "A written agreement."}),
        (url("part_edit", draft, "model", model.pk),
         {"name": "Bilateral", "description": "D.", "strengths": "S.", "weaknesses": "W."}),
    ]  # fmt: skip
    for target, data in posts:
        response = as_editor.post(target, data, headers=HTMX)
        assert response.status_code == 200, (target, response.content[:500])
    dimension = draft.dimensions.get(code=new_dimension_code)
    response = as_editor.post(
        url("add_to", draft, "model", model.pk, "profile"),
        {"dimension": dimension.pk, "target": "40", "rationale": "Some cyber sharing."},
        headers=HTMX,
    )
    assert response.status_code == 200
    profile = model.profile.get(dimension=dimension)
    response = as_editor.post(
        url("add_to", draft, "dimension", dimension.pk, "recommendation"),
        {"below": "50", "text": "Share more."},
        headers=HTMX,
    )
    assert response.status_code == 200
    response = as_editor.post(
        url("part_edit", draft, "profile", profile.pk),
        {"target": "45", "rationale": "Revised."},
        headers=HTMX,
    )
    assert response.status_code == 200
    data = framework_to_dict(Framework.objects.get(pk=draft.pk))
    assert data["title"] == "Renamed bank" and data["ready_at"] == 85
    assert data["red_lines"][-1]["question"] == "LEG-04"
    assert data["models"][0]["conditions"][-1]["question"] == "INT-01"
    assert [p["target"] for p in data["models"][0]["profile"] if p["dimension"] == "cyber"] == [45]
    assert data["dimensions"][-1]["recommendations"] == [{"below": 50.0, "text": "Share more."}]


# Bad input: 4xx with a clear message, nothing stored -------------------------------------


@pytest.mark.parametrize(
    ("part", "data", "message"),
    [
        ("choice", {"label": "L", "score": "150"}, "less than or equal to 100"),
        ("choice", {"label": "x" * 301, "score": "1"}, "at most 300 characters"),
        ("choice", {"label": "L", "score": "nan"}, "Enter a number"),
        ("question", {"text": "x" * 1001}, "at most 1000 characters"),
        ("question", {"weight": "0"}, "greater than zero"),
        ("question", {"code": "INT-02"}, "already exists"),
        ("question", {"kind": "essay"}, "Select a valid choice"),
        ("question", {"dimension": "999999"}, "Select a valid choice"),
        ("red-line", {"below": "2"}, "less than or equal to 1"),
        ("band", {"min_score": "-5"}, "greater than or equal to 0"),
    ],
)
def test_bad_input_is_refused_with_the_reason_and_nothing_is_stored(
    as_editor, draft, part, data, message
):
    if part == "red-line":
        target = services.red_line_add(
            framework=draft, question=draft.questions.get(code="LEG-04"), below=0.5, cap=20,
            reason="Safeguard.",
        )  # fmt: skip
        data = {"question": "LEG-04", "cap": "20", "reason": "R.", **data}
    elif part == "band":
        target = draft.maturity_bands.first()
        data = {"max_score": "20", "label": "L", **data}
    elif part == "choice":
        target = Choice.objects.filter(question__framework=draft).first()
    else:
        target = draft.questions.get(code="INT-01")
        data = question_post(target, **data)
    before = stored(draft)
    response = as_editor.post(url("part_edit", draft, part, target.pk), data, headers=HTMX)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert stored(draft) == before


@pytest.mark.parametrize(
    "path",
    [
        "question/999999/edit/",  # no such question
        "banana/1/edit/",  # no such kind of part
        "question/99999999999999999999/edit/",  # an id no column can hold
    ],
)
def test_unknown_ids_are_404(as_editor, draft, path):
    response = as_editor.post(url("bank", draft) + path, {"label": "x"})
    assert response.status_code == 404


def test_a_part_of_another_version_is_404_and_untouched(as_editor, bank, draft):
    published_choice = Choice.objects.filter(question__framework=bank).first()
    before = stored(bank)
    response = as_editor.post(
        url("part_edit", draft, "choice", published_choice.pk), {"label": "Hacked", "score": "1"}
    )
    assert response.status_code == 404
    assert stored(bank) == before


def test_editing_a_published_version_is_refused_with_the_reason(as_editor, bank):
    question = bank.questions.get(code="INT-01")
    before = stored(bank)
    for response in (
        as_editor.get(url("part_edit", bank, "question", question.pk), headers=HTMX),
        as_editor.post(
            url("part_edit", bank, "question", question.pk),
            question_post(question, text="Changed"),
            headers=HTMX,
        ),
        as_editor.post(url("part_delete", bank, "question", question.pk), headers=HTMX),
        as_editor.post(url("add", bank, "dimension"), {"code": "x", "name": "X"}, headers=HTMX),
    ):
        assert response.status_code == 409
        assert response["HX-Retarget"] == "#editor-messages"
        assert b"create a new draft version to edit it" in response.content
    assert stored(bank) == before


def test_refusals_of_moves_and_deletes_say_why(as_editor, draft):
    first = draft.dimensions.get(code="intelligence").questions.first()
    response = as_editor.post(
        url("part_move", draft, "question", first.pk), {"direction": "up"}, headers=HTMX
    )
    assert response.status_code == 422
    assert b"already the first" in response.content
    response = as_editor.post(
        url("part_move", draft, "question", first.pk), {"direction": "left"}, headers=HTMX
    )
    assert response.status_code == 422
    model = draft.cooperation_models.first()
    response = as_editor.post(url("part_delete", draft, "model", model.pk), headers=HTMX)
    assert response.status_code == 404  # models are edited, not deleted


# Import, export, versions -----------------------------------------------------------------


def test_import_lists_every_problem_by_path_and_writes_nothing(as_editor, db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = likert_bank(slug="imported")
    data["dimensions"][0]["weight"] = -2
    data["maturity_bands"][0]["max"] = 40
    upload = SimpleUploadedFile("bank.yaml", dump_bank(data).encode())
    response = as_editor.post(reverse("banks:import"), {"file": upload})
    assert response.status_code == 400
    content = response.content.decode()
    assert "bank.yaml was rejected: 2 problems" in content
    assert "dimensions[0].weight" in content and "must be greater than 0, got -2" in content
    assert "maturity_bands[1].min" in content
    assert not Framework.objects.filter(slug="imported").exists()


def test_import_creates_a_draft_and_refuses_to_replace_one_silently(as_editor, db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = dump_bank(likert_bank(slug="imported")).encode()
    response = as_editor.post(reverse("banks:import"), {"file": SimpleUploadedFile("b.yaml", text)})
    assert response.status_code == 302
    framework = Framework.objects.get(slug="imported", version=1)
    assert framework.status == "draft"
    again = as_editor.post(reverse("banks:import"), {"file": SimpleUploadedFile("b.yaml", text)})
    assert again.status_code == 400
    assert "is a draft already" in again.content.decode()
    replaced = as_editor.post(
        reverse("banks:import"),
        {"file": SimpleUploadedFile("b.yaml", text), "replace_draft": "on"},
    )
    assert replaced.status_code == 302
    assert Framework.objects.filter(slug="imported").count() == 1


def test_export_new_version_retire_and_discard(as_editor, bank):
    export = as_editor.get(url("export", bank))
    assert export["Content-Type"].startswith("application/yaml")
    assert export.content.decode() == dump_bank(framework_to_dict(bank))
    response = as_editor.post(url("new_version", bank))
    draft = Framework.objects.get(slug=bank.slug, version=2)
    assert response.url == url("bank", draft)
    assert as_editor.post(url("retire", bank)).status_code == 302
    assert Framework.objects.get(pk=bank.pk).status == "retired"
    assert as_editor.post(url("discard", draft)).status_code == 302
    assert not Framework.objects.filter(pk=draft.pk).exists()
    assert as_editor.post(url("discard", bank)).status_code == 409  # not a draft
    assert Framework.objects.filter(pk=bank.pk).exists()


# Preview ---------------------------------------------------------------------------------


def test_preview_shows_the_questionnaire_partial_disabled_and_without_autosave(as_editor, draft):
    response = as_editor.get(reverse("assessment:bank_preview", args=[draft.slug, 2]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "<fieldset disabled" in content
    assert 'class="card mb-3 question' in content  # the analyst's partial
    assert "hx-post" not in content.split('id="main"')[1]
    question = draft.questions.get(code="INT-03")
    one = as_editor.get(
        reverse("assessment:bank_preview_question", args=[draft.slug, 2, question.pk]),
        headers=HTMX,
    )
    assert one.status_code == 200
    assert question.text in one.content.decode()
    step = reverse("assessment:bank_preview_step", args=[draft.slug, 2, "legal"])
    assert as_editor.get(step).status_code == 200
    missing = reverse("assessment:bank_preview_step", args=[draft.slug, 2, "nowhere"])
    assert as_editor.get(missing).status_code == 404


# Query counts ------------------------------------------------------------------------------


def _count(client, method, target, data=None) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(target, data or {}, headers=HTMX)
    return response.status_code, len(ctx.captured_queries)


def test_editor_queries_do_not_grow_with_the_bank_and_reads_stay_under_ten(client, db):
    """A bank of 10 and one of 60 questions (frameworks.samples.likert_bank), read and
    edited as a bank editor (a group member, so permissions cost a query)."""
    login(client, UserFactory(username="counted", role="bank editor"))
    counts = {}
    for n in (5, 30):
        published = framework_import_published(n)
        draft = services.framework_new_version(framework=published)
        question = draft.questions.get(code="d1-001")
        choice = question.choices.first()
        client.get(reverse("banks:list"))  # the session is refreshed once a minute
        preview = "assessment:bank_preview"
        reads = {
            "list": reverse("banks:list"),
            "page": url("bank", draft),
            "editor": url("editor", draft),
            "edit form": url("part_edit", draft, "question", question.pk),
            "preview": reverse(preview, args=[draft.slug, draft.version]),
            "preview question": reverse(f"{preview}_question", args=[draft.slug, 2, question.pk]),
            "diff": reverse("banks:diff", args=[draft.slug]) + "?from=1&to=2",
        }
        writes = {
            "edit question": (
                url("part_edit", draft, "question", question.pk),
                question_post(question, text="Reworded"),
            ),
            "edit choice": (
                url("part_edit", draft, "choice", choice.pk),
                {"label": "L", "score": "1"},
            ),
            "add choice": (
                url("add_to", draft, "question", question.pk, "choice"),
                {"label": "New", "score": "2"},
            ),
            "move question": (
                url("part_move", draft, "question", question.pk),
                {"direction": "up"},
            ),
            "delete choice": (url("part_delete", draft, "choice", choice.pk), {}),
        }
        counts[n] = {name: _count(client, "get", target) for name, target in reads.items()}
        counts[n].update(
            {name: _count(client, "post", target, data) for name, (target, data) in writes.items()}
        )
    assert counts[5] == counts[30], counts
    for name, (status, queries) in counts[30].items():
        assert status == 200, name
        if name in ("list", "page", "editor", "edit form", "preview", "preview question", "diff"):
            assert queries < 10, (name, queries)
        else:
            assert queries <= 13, (name, queries)  # writes: see README "Question banks"


def framework_import_published(questions_per_dimension: int) -> Framework:
    data = likert_bank(
        slug=f"size{questions_per_dimension}",
        dimensions=2,
        questions_per_dimension=questions_per_dimension,
    )
    return services.framework_import(data=data, source="t", publish=True)
