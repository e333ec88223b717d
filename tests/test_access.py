"""Who may see and change what: every view for every kind of user.

Users: anonymous; the owner (an analyst of the team); a teammate (analyst); an
outsider (analyst of another team); a reviewer of the team; an admin; a member of
the team with no role; the owner after their analyst role was removed.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from assessment import access
from assessment.answers import AnswerValue
from assessment.models import Answer, Assessment, Partnership
from assessment.roles import ANALYST
from assessment.selectors import bank_spec

from .factories import PartnershipFactory, UserFactory, answer_all, login, save_answers


@pytest.fixture
def no_role(team):
    user = UserFactory(username="norole")
    team.members.add(user)
    return user


@pytest.fixture
def everyone(users, no_role):
    return {**users, "norole": no_role, "anonymous": None}


def as_user(client, user):
    if user is not None:
        login(client, user)
    return client


def text_question(assessment):
    return bank_spec(assessment.framework).question_by_code["INT-09"]


READ_VIEWS = [
    "assessment:review",
    "assessment:results",
    "assessment:export_json",
    "assessment:export_answers_csv",
    "assessment:export_scores_csv",
    "assessment:export_pdf",
]
# Reading a draft of the owner's team.
READ_EXPECTED = {
    "owner": 200, "teammate": 200, "reviewer": 200, "admin": 200, "norole": 200,
    "outsider": 404, "anonymous": 302,
}  # fmt: skip


@pytest.mark.parametrize("view", READ_VIEWS)
@pytest.mark.parametrize("who", list(READ_EXPECTED))
def test_read_views_follow_the_access_matrix(client, assessment, everyone, view, who):
    response = as_user(client, everyone[who]).get(reverse(view, args=[assessment.pk]))
    assert response.status_code == READ_EXPECTED[who]
    if who == "anonymous":
        assert response.url.startswith(reverse("login"))


# The questionnaire of a draft: editors get it; readers are sent to the review page.
EDIT_PAGE_EXPECTED = {
    "owner": 200, "teammate": 200, "admin": 200, "reviewer": 302, "norole": 302,
    "outsider": 404, "anonymous": 302,
}  # fmt: skip


@pytest.mark.parametrize("who", list(EDIT_PAGE_EXPECTED))
def test_questionnaire_page_access(client, assessment, everyone, who):
    response = as_user(client, everyone[who]).get(
        reverse("assessment:questionnaire", args=[assessment.pk])
    )
    assert response.status_code == EDIT_PAGE_EXPECTED[who]


# Saving answers: autosave and the page save.
SAVE_EXPECTED = {
    "owner": 200, "teammate": 200, "admin": 200, "reviewer": 403, "norole": 403,
    "outsider": 404, "anonymous": 302,
}  # fmt: skip


@pytest.mark.parametrize("who", list(SAVE_EXPECTED))
def test_autosave_access(client, assessment, everyone, who):
    question = text_question(assessment)
    response = as_user(client, everyone[who]).post(
        reverse("assessment:autosave", args=[assessment.pk, question.id]),
        {f"q{question.id}_value": "typed", f"q{question.id}_version": "0"},
    )
    assert response.status_code == SAVE_EXPECTED[who]
    assert assessment.answers.exists() == (SAVE_EXPECTED[who] == 200)


@pytest.mark.parametrize("who", list(SAVE_EXPECTED))
def test_page_save_access(client, assessment, everyone, who):
    question = text_question(assessment)
    response = as_user(client, everyone[who]).post(
        reverse("assessment:questionnaire_step", args=[assessment.pk, "intelligence"]),
        {f"q{question.id}_value": "typed", f"q{question.id}_version": "0"},
    )
    expected = {200: 302}.get(SAVE_EXPECTED[who], SAVE_EXPECTED[who])
    assert response.status_code == expected
    assert assessment.answers.exists() == (expected == 302 and who != "anonymous")


SUBMIT_EXPECTED = {
    "owner": 302, "teammate": 302, "admin": 302, "reviewer": 403, "norole": 403,
    "outsider": 404, "anonymous": 302,
}  # fmt: skip


@pytest.mark.parametrize("who", list(SUBMIT_EXPECTED))
def test_submit_access(client, assessment, owner, everyone, who):
    answer_all(assessment, owner)
    response = as_user(client, everyone[who]).post(
        reverse("assessment:submit", args=[assessment.pk])
    )
    assert response.status_code == SUBMIT_EXPECTED[who]
    assessment.refresh_from_db()
    submitted = who in ("owner", "teammate", "admin")
    assert assessment.status == ("submitted" if submitted else "draft")


@pytest.mark.parametrize(
    ("who", "expected", "status"),
    [
        ("outsider", 404, "submitted"),
        ("owner", 403, "submitted"),
        ("teammate", 403, "submitted"),
        ("norole", 403, "submitted"),
        ("anonymous", 302, "submitted"),
        ("reviewer", 302, "approved"),
        ("admin", 302, "approved"),
    ],
)
def test_review_decision_access(client, assessment, everyone, owner, who, expected, status):
    answer_all(assessment, owner)
    Assessment.objects.filter(pk=assessment.pk).update(status="submitted")
    response = as_user(client, everyone[who]).post(
        reverse("assessment:decide", args=[assessment.pk]), {"decision": "approve"}
    )
    assert response.status_code == expected
    assessment.refresh_from_db()
    assert assessment.status == status


def test_reviewer_cannot_approve_their_own_assessment(client, partnership, reviewer, bank):
    own = Assessment.objects.create(
        partnership=partnership, framework=bank, owner=reviewer, marking="U", status="submitted"
    )
    login(client, reviewer)
    response = client.post(reverse("assessment:decide", args=[own.pk]), {"decision": "approve"})
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.status == "submitted"


def test_a_reviewer_cannot_start_an_assessment(client, partnership, reviewer, bank):
    login(client, reviewer)
    url = reverse("assessment:assessment_new")
    assert client.get(url).status_code == 403
    response = client.post(
        url, {"partnership": partnership.pk, "framework": bank.pk, "marking": "U"}
    )
    assert response.status_code == 403
    assert not Assessment.objects.exists()


def test_a_reviewer_who_owns_a_draft_cannot_edit_it(client, partnership, reviewer, bank):
    # Made directly: the service refuses to start an assessment for a reviewer.
    own = Assessment.objects.create(partnership=partnership, framework=bank, owner=reviewer)
    question = text_question(own)
    login(client, reviewer)
    assert client.get(reverse("assessment:questionnaire", args=[own.pk])).status_code == 302
    response = client.post(
        reverse("assessment:autosave", args=[own.pk, question.id]),
        {f"q{question.id}_value": "typed", f"q{question.id}_version": "0"},
    )
    assert response.status_code == 403
    assert b"Only analysts edit answers" in response.content
    page = client.post(
        reverse("assessment:questionnaire_step", args=[own.pk, "intelligence"]),
        {f"q{question.id}_value": "typed", f"q{question.id}_version": "0"},
    )
    assert page.status_code == 403
    assert not Answer.objects.exists()


def test_an_owner_whose_analyst_role_was_removed_can_no_longer_edit(client, assessment, owner):
    owner.groups.remove(Group.objects.get(name=ANALYST))
    question = text_question(assessment)
    login(client, owner)
    assert client.get(reverse("assessment:review", args=[assessment.pk])).status_code == 200
    response = client.post(
        reverse("assessment:autosave", args=[assessment.pk, question.id]),
        {f"q{question.id}_value": "typed", f"q{question.id}_version": "0"},
    )
    assert response.status_code == 403
    assert not Answer.objects.exists()
    fresh = type(owner).objects.get(pk=owner.pk)  # roles are read once per user object
    with pytest.raises(access.AssessmentLocked):
        save_answers(assessment, fresh, {"INT-09": AnswerValue(text="through the service")})
    assert not Answer.objects.exists()


@pytest.mark.parametrize("who", ["owner", "teammate", "admin"])
def test_submitted_assessment_cannot_be_edited_by_anyone(client, assessment, users, owner, who):
    answer_all(assessment, owner)
    Assessment.objects.filter(pk=assessment.pk).update(status="submitted")
    question = text_question(assessment)
    before = assessment.answers.get(question_id=question.id).text
    login(client, users[who])
    response = client.post(
        reverse("assessment:autosave", args=[assessment.pk, question.id]),
        {f"q{question.id}_value": "changed", f"q{question.id}_version": "1"},
    )
    assert response.status_code == 403
    assert b"can no longer be edited" in response.content
    assert assessment.answers.get(question_id=question.id).text == before


# Partnerships --------------------------------------------------------------------

PARTNERSHIP_EDIT_EXPECTED = {
    "owner": 200, "teammate": 200, "admin": 200, "reviewer": 403, "norole": 403,
    "outsider": 404, "anonymous": 302,
}  # fmt: skip


@pytest.mark.parametrize("who", list(PARTNERSHIP_EDIT_EXPECTED))
def test_partnership_edit_access(client, partnership, everyone, who):
    url = reverse("assessment:partnership_edit", args=[partnership.pk])
    client = as_user(client, everyone[who])
    expected = PARTNERSHIP_EDIT_EXPECTED[who]
    assert client.get(url).status_code == expected
    post = client.post(
        url,
        {"name": "Renamed", "countries": "A, B", "declared_model": "informal",
         "team": partnership.team_id},
    )  # fmt: skip
    assert post.status_code == (302 if expected == 200 else expected)
    partnership.refresh_from_db()
    assert partnership.name == ("Renamed" if expected == 200 else "Sahel Partnership")


PARTNERSHIP_CREATE_EXPECTED = {
    "owner": 200, "admin": 200, "reviewer": 403, "norole": 403, "anonymous": 302,
}  # fmt: skip


@pytest.mark.parametrize("who", list(PARTNERSHIP_CREATE_EXPECTED))
def test_partnership_create_access(client, everyone, team, who):
    client = as_user(client, everyone[who])
    url = reverse("assessment:partnership_new")
    assert client.get(url).status_code == PARTNERSHIP_CREATE_EXPECTED[who]
    client.post(
        url, {"name": "New one", "countries": "A, B", "declared_model": "informal", "team": team.pk}
    )
    created = Partnership.objects.filter(name="New one").exists()
    assert created == (PARTNERSHIP_CREATE_EXPECTED[who] == 200)


def test_an_analyst_cannot_file_a_partnership_under_another_team(client, owner, other_team):
    login(client, owner)
    response = client.post(
        reverse("assessment:partnership_new"),
        {"name": "Elsewhere", "countries": "A, B", "declared_model": "informal",
         "team": other_team.pk},
    )  # fmt: skip
    assert response.status_code == 400
    assert not Partnership.objects.filter(name="Elsewhere").exists()


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 200), ("reviewer", 200), ("admin", 200), ("outsider", 404), ("anonymous", 302)],
)
def test_trend_access(client, assessment, everyone, who, expected):
    url = reverse("assessment:trend", args=[assessment.partnership_id])
    assert as_user(client, everyone[who]).get(url).status_code == expected


def test_lists_show_only_what_the_user_may_act_on(client, assessment, reviewer):
    login(client, reviewer)
    dashboard = client.get("/").content.decode()
    assert assessment.partnership.name in dashboard
    assert reverse("assessment:assessment_new") not in dashboard
    partnerships = client.get("/partnerships/").content.decode()
    assert reverse("assessment:partnership_new") not in partnerships
    assert reverse("assessment:partnership_edit", args=[assessment.partnership_id]) not in (
        partnerships
    )


def test_outsider_cannot_see_other_teams_on_lists(client, assessment, outsider):
    login(client, outsider)
    assert assessment.partnership.name.encode() not in client.get("/").content
    assert assessment.partnership.name.encode() not in client.get("/partnerships/").content
    csv = client.get(reverse("assessment:dashboard_csv"))
    assert assessment.partnership.name.encode() not in csv.getvalue()


def test_outsider_cannot_start_assessment_on_another_teams_partnership(
    client, partnership, outsider, bank
):
    login(client, outsider)
    response = client.post(
        reverse("assessment:assessment_new"),
        {"partnership": partnership.pk, "framework": bank.pk, "marking": "U"},
    )
    assert response.status_code == 400
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("pk", ["999999", "abc"])
def test_forged_assessment_ids_are_404(client, owner, bank, pk):
    login(client, owner)
    assert client.get(f"/assessments/{pk}/review/").status_code == 404


def test_compare_refuses_an_assessment_the_user_cannot_see(
    client, assessment, outsider, other_team, bank
):
    theirs = Assessment.objects.create(
        partnership=PartnershipFactory(team=other_team, created_by=outsider),
        framework=bank,
        owner=outsider,
        marking="U",
    )
    login(client, outsider)
    response = client.get(reverse("assessment:compare"), {"ids": [theirs.pk, assessment.pk]})
    assert response.status_code == 404


def test_admins_may_do_what_analysts_do_and_an_analyst_needs_a_team(admin_user, reviewer):
    assert access.can_create_assessment(admin_user)
    assert access.can_create_partnership(admin_user)
    assert not access.can_create_assessment(reviewer)
    teamless = UserFactory(role=ANALYST)
    assert not access.can_create_partnership(teamless)
    assert not access.can_create_assessment(teamless)
