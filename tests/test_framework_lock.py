"""Published banks are immutable; new versions are deep copies; the admin shows banks."""

import pytest
from django.db import IntegrityError
from django.urls import reverse

from frameworks import models as fm
from frameworks.io import framework_to_dict
from frameworks.selectors import default_bank
from frameworks.services import (
    framework_import,
    framework_new_version,
    framework_publish,
    framework_retire,
)

from .factories import login, small_bank_data


def test_published_framework_refuses_changes_from_the_shell(bank):
    bank.title = "Changed"
    with pytest.raises(fm.FrameworkLocked, match="cannot be changed"):
        bank.save()
    question = bank.questions.first()
    question.text = "Changed"
    with pytest.raises(fm.FrameworkLocked):
        question.save()
    choice = fm.Choice.objects.filter(question__framework=bank).first()
    with pytest.raises(fm.FrameworkLocked):
        choice.delete()
    profile = fm.ModelProfile.objects.filter(model__framework=bank).first()
    profile.target = 1
    with pytest.raises(fm.FrameworkLocked):
        profile.save()
    with pytest.raises(fm.FrameworkLocked):
        bank.delete()
    assert fm.Question.objects.get(pk=question.pk).text != "Changed"


def test_publishing_twice_is_refused(bank):
    with pytest.raises(fm.FrameworkLocked, match="Only a draft"):
        framework_publish(framework=bank)


def test_new_version_is_a_deep_copy_and_editing_it_leaves_the_original(bank):
    copy = framework_new_version(framework=bank)
    assert (copy.slug, copy.version, copy.status) == (bank.slug, 2, "draft")
    assert copy.questions.count() == bank.questions.count()
    assert fm.Choice.objects.filter(question__framework=copy).count() == (
        fm.Choice.objects.filter(question__framework=bank).count()
    )
    assert fm.ModelProfile.objects.filter(model__framework=copy).count() == 12
    question = copy.questions.get(code="INT-01")
    question.text = "Edited in the copy"
    question.save()
    choice = question.choices.first()
    choice.score = 1.5
    choice.save()
    original = bank.questions.get(code="INT-01")
    assert original.text != "Edited in the copy"
    assert original.choices.first().score == 0
    framework_publish(framework=copy)
    assert fm.Framework.objects.get(pk=copy.pk).status == "published"


def test_publish_revalidates_admin_edits(bank):
    copy = framework_new_version(framework=bank)
    copy.dimensions.first().questions.first().choices.all().delete()
    with pytest.raises(Exception, match="needs choices"):
        framework_publish(framework=copy)
    assert fm.Framework.objects.get(pk=copy.pk).status == "draft"


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [(fm.Dimension, "weight", 0), (fm.Question, "weight", -1), (fm.Choice, "score", 101)],
)
def test_database_constraints_back_the_validation(bank, model, field, value):
    draft = framework_new_version(framework=bank)
    obj = model.objects.filter(
        **({"question__framework": draft} if model is fm.Choice else {"framework": draft})
    ).first()
    with pytest.raises(IntegrityError):
        model.objects.filter(pk=obj.pk).update(**{field: value})


def test_question_codes_are_unique_per_framework_version(bank):
    draft = framework_new_version(framework=bank)
    q = draft.questions.first()
    with pytest.raises(IntegrityError):
        fm.Question.objects.create(
            framework=draft, dimension=q.dimension, code=q.code, text="dup", kind="text"
        )


ADMIN_MODELS = [
    "framework", "dimension", "question", "choice", "cooperationmodel",
    "modelprofile", "modelcondition", "redline", "maturityband", "recommendation",
]  # fmt: skip


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_admin_changelist_and_change_pages_render(client, bank, admin_user, model):
    path, data = default_bank(version=2)  # version 2 has red lines and model conditions
    framework_import(data=data, source=str(path), publish=True)
    login(client, admin_user)
    changelist = client.get(reverse(f"admin:frameworks_{model}_changelist"))
    assert changelist.status_code == 200
    obj = getattr(fm, next(m for m in dir(fm) if m.lower() == model)).objects.first()
    change = client.get(reverse(f"admin:frameworks_{model}_change", args=[obj.pk]))
    assert change.status_code == 200


def test_admin_shows_published_bank_read_only_and_refuses_posts(client, bank, admin_user):
    login(client, admin_user)
    url = reverse("admin:frameworks_framework_change", args=[bank.pk])
    page = client.get(url)
    assert b'name="title"' not in page.content  # read-only: no input
    response = client.post(url, {"title": "Hacked", "slug": bank.slug, "version": 1})
    assert response.status_code == 403
    assert fm.Framework.objects.get(pk=bank.pk).title != "Hacked"


def test_admin_shows_banks_read_only_with_history_and_a_link_to_the_editor(
    client, bank, admin_user
):
    """One way to edit a bank: the editor. The admin shows banks and their history only."""
    login(client, admin_user)
    draft = framework_new_version(framework=bank)
    changelist = client.get(reverse("admin:frameworks_framework_changelist"))
    assert reverse("banks:bank", args=[draft.slug, draft.version]).encode() in changelist.content
    assert b'name="action"' not in changelist.content  # no bulk actions
    assert client.get(reverse("admin:frameworks_question_add")).status_code == 403
    question = draft.questions.first()
    url = reverse("admin:frameworks_question_change", args=[question.pk])
    assert b'name="text"' not in client.get(url).content
    response = client.post(url, {"text": "Changed in the admin", "code": question.code})
    assert response.status_code == 403
    assert fm.Question.objects.get(pk=question.pk).text == question.text
    delete = reverse("admin:frameworks_question_delete", args=[question.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert fm.Question.objects.filter(pk=question.pk).exists()
    history = reverse("admin:frameworks_question_history", args=[question.pk])
    assert client.get(history).status_code == 200


def test_anonymous_is_redirected_to_login(client, bank):
    for url in ["/", "/partnerships/", "/admin/frameworks/framework/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response.url


# The lock holds on every path to the database, not only Model.save().

FORWARD = {"draft": {"draft", "published"}, "published": {"retired"}, "retired": set()}
WRONG_MOVES = [
    (start, to)
    for start in FORWARD
    for to in ("draft", "published", "retired")
    if to not in FORWARD[start]
]

# A text field of every part of a bank, and how its rows reach their framework.
PARTS = [
    (fm.Dimension, "name", "framework"),
    (fm.Question, "text", "framework"),
    (fm.Choice, "label", "question__framework"),
    (fm.CooperationModel, "name", "framework"),
    (fm.ModelProfile, "rationale", "model__framework"),
    (fm.MaturityBand, "label", "framework"),
    (fm.Recommendation, "text", "framework"),
]


def framework_in(status: str) -> fm.Framework:
    framework = framework_import(data=small_bank_data(), source="test")
    if status != "draft":
        framework = framework_publish(framework=framework)
    if status == "retired":
        framework = framework_retire(framework=framework)
    assert framework.status == status
    return framework


def rows_of(model, path: str, framework: fm.Framework):
    return model.objects.filter(**{path: framework})


@pytest.mark.parametrize(("start", "to"), WRONG_MOVES)
def test_status_only_moves_draft_to_published_to_retired(db, start, to):
    framework = framework_in(start)
    framework.status = to
    with pytest.raises(fm.FrameworkLocked, match=f"is {start}"):
        framework.save(update_fields=["status"])
    with pytest.raises(fm.FrameworkLocked):
        framework.save()
    assert fm.Framework.objects.get(pk=framework.pk).status == start


def test_forward_status_moves_are_allowed(db):
    framework = framework_in("draft")
    framework.status = "published"
    framework.save(update_fields=["status"])
    framework.status = "retired"
    framework.save(update_fields=["status"])
    assert fm.Framework.objects.get(pk=framework.pk).status == "retired"


@pytest.mark.parametrize("status", ["published", "retired"])
@pytest.mark.parametrize("update_fields", [None, ["title"], ["status", "title"]])
def test_locked_framework_refuses_a_field_change_however_saved(db, status, update_fields):
    framework = framework_in(status)
    framework.title = "Changed"
    if update_fields and "status" in update_fields:
        framework.status = "retired"
    with pytest.raises(fm.FrameworkLocked, match="cannot be changed"):
        framework.save(update_fields=update_fields)
    assert fm.Framework.objects.get(pk=framework.pk).title != "Changed"


def test_a_framework_is_created_as_a_draft(db):
    with pytest.raises(fm.FrameworkLocked, match="starts as a draft"):
        fm.Framework.objects.create(slug="new", version=1, title="New", status="published")
    with pytest.raises(fm.FrameworkLocked, match="starts as a draft"):
        fm.Framework.objects.bulk_create(
            [fm.Framework(slug="new", version=1, title="New", status="published")]
        )
    assert not fm.Framework.objects.filter(slug="new").exists()


@pytest.mark.parametrize("status", ["published", "retired"])
@pytest.mark.parametrize(
    "change", [{"status": "draft"}, {"title": "Changed"}, {"description": "Changed"}]
)
def test_queryset_update_of_a_locked_framework_is_refused(db, status, change):
    framework = framework_in(status)
    with pytest.raises(fm.FrameworkLocked):
        fm.Framework.objects.filter(pk=framework.pk).update(**change)
    with pytest.raises(fm.FrameworkLocked):
        fm.Framework.objects.all().update(**change)
    stored = fm.Framework.objects.get(pk=framework.pk)
    assert (stored.status, stored.title, stored.description) == (
        status,
        framework.title,
        framework.description,
    )


def test_queryset_update_of_a_draft_changes_fields_but_never_the_status(db):
    draft = framework_in("draft")
    assert fm.Framework.objects.filter(pk=draft.pk).update(title="Renamed") == 1
    with pytest.raises(fm.FrameworkLocked, match="framework_publish"):
        fm.Framework.objects.filter(pk=draft.pk).update(status="published")
    with pytest.raises(fm.FrameworkLocked, match="framework_publish"):
        fm.Framework.objects.filter(pk=draft.pk).update(status="retired")
    stored = fm.Framework.objects.get(pk=draft.pk)
    assert (stored.title, stored.status) == ("Renamed", "draft")


def test_bulk_update_of_a_locked_framework_is_refused(db):
    framework = framework_in("published")
    framework.status = "draft"
    with pytest.raises(fm.FrameworkLocked):
        fm.Framework.objects.bulk_update([framework], ["status"])
    framework.title = "Changed"
    with pytest.raises(fm.FrameworkLocked):
        fm.Framework.objects.bulk_update([framework], ["title"])
    assert fm.Framework.objects.get(pk=framework.pk).status == "published"


@pytest.mark.parametrize("status", ["published", "retired"])
def test_queryset_delete_of_a_locked_framework_is_refused(db, status):
    framework = framework_in(status)
    before = fm.Question.objects.count()
    with pytest.raises(fm.FrameworkLocked):
        fm.Framework.objects.filter(pk=framework.pk).delete()
    with pytest.raises(fm.FrameworkLocked):
        fm.Framework.objects.all().delete()
    framework.status = "draft"  # in memory only: the stored status decides
    with pytest.raises(fm.FrameworkLocked):
        framework.delete()
    assert fm.Framework.objects.filter(pk=framework.pk).exists()
    assert fm.Question.objects.count() == before


@pytest.mark.parametrize("status", ["published", "retired"])
@pytest.mark.parametrize(("model", "field", "path"), PARTS)
def test_queryset_update_and_delete_of_a_locked_part_are_refused(db, status, model, field, path):
    framework = framework_in(status)
    rows = rows_of(model, path, framework)
    before = list(rows.order_by("pk").values_list("pk", field))
    with pytest.raises(fm.FrameworkLocked):
        rows.update(**{field: "Changed"})
    with pytest.raises(fm.FrameworkLocked):
        model.objects.all().update(**{field: "Changed"})
    with pytest.raises(fm.FrameworkLocked):
        rows.delete()
    with pytest.raises(fm.FrameworkLocked):
        model.objects.filter(pk=rows.first().pk).delete()
    objs = list(rows.all())
    for obj in objs:
        setattr(obj, field, "Changed")
    with pytest.raises(fm.FrameworkLocked):
        model.objects.bulk_update(objs, [field])
    assert list(rows.order_by("pk").values_list("pk", field)) == before


@pytest.mark.parametrize(("model", "field", "path"), PARTS)
def test_queryset_update_and_delete_of_a_draft_part_work(db, model, field, path):
    draft = framework_in("draft")
    rows = rows_of(model, path, draft)
    count = rows.count()
    assert rows.update(**{field: "Changed"}) == count
    assert set(rows.values_list(field, flat=True)) == {"Changed"}
    objs = list(rows.all())
    for obj in objs:
        setattr(obj, field, "Again")
    model.objects.bulk_update(objs, [field])
    assert set(rows.values_list(field, flat=True)) == {"Again"}
    rows.filter(pk=objs[0].pk).delete()
    assert rows.count() == count - 1


def test_parts_cannot_be_added_to_a_locked_bank_in_bulk(db):
    framework = framework_in("published")
    dimension = framework.dimensions.first()
    question = framework.questions.first()
    model = framework.cooperation_models.first()
    new_rows = [
        (fm.Dimension, fm.Dimension(framework=framework, code="extra", name="Extra")),
        (fm.Question, fm.Question(framework=framework, dimension=dimension, code="X-1",
                                  text="Extra", kind="text")),
        (fm.Choice, fm.Choice(question=question, label="Extra", score=3)),
        (fm.ModelProfile, fm.ModelProfile(model=model, dimension=dimension, target=1)),
        (fm.MaturityBand, fm.MaturityBand(framework=framework, min_score=0, max_score=1,
                                          label="Extra")),
        (fm.Recommendation, fm.Recommendation(framework=framework, dimension=dimension,
                                              below=10, text="Extra")),
    ]  # fmt: skip
    for model_class, obj in new_rows:
        with pytest.raises(fm.FrameworkLocked):
            model_class.objects.bulk_create([obj])
        with pytest.raises(fm.FrameworkLocked):
            obj.save()
    assert framework_to_dict(framework) == framework_to_dict(
        fm.Framework.objects.get(pk=framework.pk)
    )
    assert fm.Choice.objects.filter(label="Extra").count() == 0


def test_parts_cannot_be_moved_into_or_out_of_a_locked_bank(db):
    published = framework_in("published")
    draft = framework_new_version(framework=published)
    exported = framework_to_dict(published)
    draft_question = draft.questions.first()
    draft_question.code = "NEW-1"  # so that only the lock stands in the way
    draft_question.save()
    published_question = published.questions.first()
    published_dimension = published.dimensions.first()
    # into: a draft question under a published dimension, a draft choice under a published question
    with pytest.raises(fm.FrameworkLocked):
        fm.Question.objects.filter(pk=draft_question.pk).update(dimension=published_dimension)
    with pytest.raises(fm.FrameworkLocked):
        draft.questions.filter(pk=draft_question.pk).update(framework=published)
    with pytest.raises(fm.FrameworkLocked):
        draft_question.choices.update(question=published_question)
    draft_question.dimension = published_dimension
    with pytest.raises(fm.FrameworkLocked):
        draft_question.save()
    # out of: a published question moved to the draft
    published_question.framework = draft
    published_question.dimension = draft.dimensions.first()
    with pytest.raises(fm.FrameworkLocked):
        published_question.save()
    choice = published_question.choices.first()
    choice.question = draft_question
    with pytest.raises(fm.FrameworkLocked):
        choice.save()
    with pytest.raises(fm.FrameworkLocked):
        choice.delete()
    assert framework_to_dict(fm.Framework.objects.get(pk=published.pk)) == exported


def test_deleting_a_draft_cascades_to_all_its_parts(db):
    published = framework_in("published")
    counts = {model: rows_of(model, path, published).count() for model, _f, path in PARTS}
    draft = framework_new_version(framework=published)
    draft.delete()
    again = framework_new_version(framework=published)
    fm.Framework.objects.filter(pk=again.pk).delete()
    assert list(fm.Framework.objects.all()) == [published]
    for model, _field, _path in PARTS:
        assert model.objects.count() == counts[model]
