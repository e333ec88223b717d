"""Who may use the bank editor: users with the bank permissions (the `bank editor` and
`admin` groups, superusers). Anonymous users go to the login page; everyone else
gets 403, and nothing is written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessment.roles import ADMIN
from frameworks.io import dump_bank, framework_to_dict
from frameworks.models import Choice, Framework
from frameworks.samples import likert_bank
from frameworks.services import framework_new_version

from .factories import UserFactory, login


@pytest.fixture
def people(owner, reviewer, admin_user):
    return {
        "anonymous": None,
        "analyst": owner,
        "reviewer": reviewer,
        "admin": admin_user,  # a superuser in the admin group
        "admin group": UserFactory(username="admin-group", role=ADMIN),
        "bank editor": UserFactory(username="bank-editor", role="bank editor"),
    }


ALLOWED = {"admin", "admin group", "bank editor"}


def banks_fingerprint() -> list:
    return [
        (f.slug, f.version, f.status, dump_bank(framework_to_dict(f)))
        for f in Framework.objects.order_by("slug", "version")
    ]


def endpoints(bank, draft) -> list[tuple[str, str, str, dict | None, int]]:
    """(name, method, url, data, status when allowed) for every URL of the editor."""
    question = draft.questions.get(code="INT-02")
    choice = Choice.objects.filter(question=question).first()
    dimension = question.dimension

    def banks(name, framework, *args):
        return reverse(f"banks:{name}", args=[framework.slug, framework.version, *args])

    def preview(name, *args):
        return reverse(f"assessment:{name}", args=[draft.slug, draft.version, *args])

    upload = dump_bank(likert_bank(slug="uploaded")).encode()
    return [
        ("list", "get", reverse("banks:list"), None, 200),
        ("import", "post", reverse("banks:import"), {"file": ("b.yaml", upload)}, 302),
        ("diff", "get", reverse("banks:diff", args=[bank.slug]) + "?from=1&to=2", None, 200),
        ("page", "get", banks("bank", draft), None, 200),
        ("editor", "get", banks("editor", draft), None, 200),
        ("export", "get", banks("export", draft), None, 200),
        ("settings form", "get", banks("settings", draft), None, 200),
        ("settings", "post", banks("settings", draft),
         {"title": "T", "description": "", "ready_at": "80"}, 302),
        ("add form", "get", banks("add", draft, "dimension"), None, 200),
        ("add", "post", banks("add", draft, "dimension"), {"code": "new", "name": "New"}, 302),
        ("add to", "post", banks("add_to", draft, "dimension", dimension.pk, "question"),
         {"code": "NEW-1", "text": "New?", "kind": "yesno"}, 302),
        ("edit form", "get", banks("part_edit", draft, "choice", choice.pk), None, 200),
        ("edit", "post", banks("part_edit", draft, "choice", choice.pk),
         {"label": "Edited", "score": "1"}, 302),
        ("move", "post", banks("part_move", draft, "question", question.pk),
         {"direction": "up"}, 302),
        ("delete", "post", banks("part_delete", draft, "choice", choice.pk), {}, 302),
        ("preview", "get", preview("bank_preview"), None, 200),
        ("preview step", "get", preview("bank_preview_step", "legal"), None, 200),
        ("preview question", "get", preview("bank_preview_question", question.pk), None, 302),
        ("new version", "post", banks("new_version", bank), {}, 302),
        ("publish", "post", banks("publish", draft), {}, 302),
        ("retire", "post", banks("retire", bank), {}, 302),
        ("discard", "post", banks("discard", draft), {}, 302),
    ]  # fmt: skip


ENDPOINTS = [
    "list", "import", "diff", "page", "editor", "export", "settings form", "settings",
    "add form", "add", "add to", "edit form", "edit", "move", "delete", "preview",
    "preview step", "preview question", "new version", "publish", "retire", "discard",
]  # fmt: skip
PEOPLE = ["anonymous", "analyst", "reviewer", "admin", "admin group", "bank editor"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("who", PEOPLE)
def test_bank_editor_access(client, bank, people, who, endpoint):
    draft = framework_new_version(framework=bank)
    name, method, target, data, allowed_status = next(
        e for e in endpoints(bank, draft) if e[0] == endpoint
    )
    if people[who] is not None:
        login(client, people[who])
    if data and "file" in data:
        data = {"file": SimpleUploadedFile(*data["file"])}
    before = banks_fingerprint()
    response = getattr(client, method)(target, data or {})
    if who == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    elif who in ALLOWED:
        assert response.status_code == allowed_status, response.content[:500]
        return
    else:
        assert response.status_code == 403
    assert banks_fingerprint() == before


def test_the_nav_links_to_the_banks_only_for_those_who_may_edit_them(client, people, bank):
    for who in PEOPLE[1:]:
        login(client, people[who])
        page = client.get(reverse("assessment:dashboard")).content.decode()
        assert (reverse("banks:list") in page) == (who in ALLOWED), who
