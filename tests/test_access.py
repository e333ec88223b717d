"""Who may see and change what: every assessment view for every kind of user."""

import pytest
from django.urls import reverse

from assessment.models import Assessment

from .conftest import answer_all, login

READ_VIEWS = [
    "assessment:review",
    "assessment:results",
    "assessment:export_json",
    "assessment:export_answers_csv",
    "assessment:export_scores_csv",
]
# Expected status per user for reading a draft assessment of the owner's team.
READ_EXPECTED = {"owner": 200, "teammate": 200, "reviewer": 200, "admin": 200, "outsider": 404}


@pytest.mark.parametrize("view", READ_VIEWS)
@pytest.mark.parametrize("who", list(READ_EXPECTED))
def test_read_views_follow_the_access_matrix(client, assessment, users, view, who):
    login(client, users[who])
    response = client.get(reverse(view, args=[assessment.pk]))
    assert response.status_code == READ_EXPECTED[who]


@pytest.mark.parametrize("view", READ_VIEWS + ["assessment:questionnaire", "assessment:export_pdf"])
def test_anonymous_is_sent_to_login(client, assessment, view):
    response = client.get(reverse(view, args=[assessment.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_pdf_follows_the_same_matrix(client, assessment, users):
    for who, expected in (("outsider", 404), ("teammate", 200)):
        login(client, users[who])
        assert client.get(reverse("assessment:export_pdf", args=[assessment.pk])).status_code == (
            expected
        )


EDIT_EXPECTED = {"owner": 200, "teammate": 200, "admin": 200, "outsider": 404, "reviewer": 302}


@pytest.mark.parametrize("who", list(EDIT_EXPECTED))
def test_questionnaire_page_access(client, assessment, users, who):
    login(client, users[who])
    response = client.get(reverse("assessment:questionnaire", args=[assessment.pk]))
    # A reviewer may read but not edit, so is sent to the read-only review page.
    assert response.status_code == EDIT_EXPECTED[who]


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 200), ("teammate", 200), ("admin", 200), ("outsider", 404), ("reviewer", 403)],
)
def test_autosave_access(client, assessment, users, who, expected):
    question = assessment.framework.questions.get(code="INT-09")
    login(client, users[who])
    response = client.post(
        reverse("assessment:autosave", args=[assessment.pk, question.pk]),
        {f"q{question.pk}_value": "typed", f"q{question.pk}_version": "0"},
    )
    assert response.status_code == expected
    assert assessment.answers.exists() == (expected == 200)


@pytest.mark.parametrize(
    ("who", "expected", "status"),
    [
        ("outsider", 404, "submitted"),
        ("owner", 403, "submitted"),
        ("teammate", 403, "submitted"),
        ("reviewer", 302, "approved"),
        ("admin", 302, "approved"),
    ],
)
def test_review_decision_access(client, assessment, users, owner, who, expected, status):
    answer_all(assessment, owner)
    Assessment.objects.filter(pk=assessment.pk).update(status="submitted")
    login(client, users[who])
    response = client.post(
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


@pytest.mark.parametrize("who", ["owner", "teammate", "admin"])
def test_submitted_assessment_cannot_be_edited_by_anyone(client, assessment, users, owner, who):
    answer_all(assessment, owner)
    Assessment.objects.filter(pk=assessment.pk).update(status="submitted")
    question = assessment.framework.questions.get(code="INT-09")
    before = assessment.answers.get(question=question).text
    login(client, users[who])
    response = client.post(
        reverse("assessment:autosave", args=[assessment.pk, question.pk]),
        {f"q{question.pk}_value": "changed", f"q{question.pk}_version": "1"},
    )
    assert response.status_code == 403
    assert b"can no longer be edited" in response.content
    assert assessment.answers.get(question=question).text == before


@pytest.mark.parametrize(
    ("who", "expected"), [("owner", 200), ("teammate", 200), ("admin", 200), ("outsider", 404)]
)
def test_partnership_edit_access(client, partnership, users, who, expected):
    login(client, users[who])
    response = client.get(reverse("assessment:partnership_edit", args=[partnership.pk]))
    assert response.status_code == expected


def test_outsider_cannot_see_other_teams_on_lists(client, assessment, outsider):
    login(client, outsider)
    assert assessment.partnership.name.encode() not in client.get("/").content
    assert assessment.partnership.name.encode() not in client.get("/partnerships/").content
    csv = client.get(reverse("assessment:dashboard_csv"))
    assert assessment.partnership.name.encode() not in csv.content


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
    from .conftest import PartnershipFactory

    theirs = Assessment.objects.create(
        partnership=PartnershipFactory(team=other_team, created_by=outsider),
        framework=bank,
        owner=outsider,
        marking="U",
    )
    login(client, outsider)
    response = client.get(reverse("assessment:compare"), {"ids": [theirs.pk, assessment.pk]})
    assert response.status_code == 404
