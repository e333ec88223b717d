"""Published banks are immutable; new versions are deep copies; the admin shows banks."""

import pytest
from django.db import IntegrityError
from django.urls import reverse

from frameworks import models as fm
from frameworks.selectors import default_bank
from frameworks.services import framework_import, framework_new_version, framework_publish

from .factories import login


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
