"""Moving a draft assessment to a newer published version of its bank."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessment import answers
from assessment.access import AssessmentLocked
from assessment.answers import AnswerValue
from assessment.models import Answer, Assessment, StatusChange, VersionMove
from assessment.reports.export import assessment_export
from assessment.selectors import assessment_snapshot, bank_spec
from assessment.services import assessment_move_to_version
from frameworks.io import validate_bank
from frameworks.selectors import default_bank
from frameworks.services import framework_import, framework_new_version

from .factories import AssessmentFactory, PartnershipFactory, login, save_answers, value_for


@pytest.fixture
def v2(bank):
    path, data = default_bank(version=2)
    return framework_import(data=data, source=str(path), publish=True)


def answer_everything(assessment, user):
    """Every question answered, with a comment and (where scored) a confidence."""
    bank = bank_spec(assessment.framework)
    values = {}
    for q in bank.questions:
        value = value_for(q)
        values[q.code] = AnswerValue(
            choice_ids=value.choice_ids,
            number=value.number,
            text=value.text,
            comment=f"Evidence for {q.code}",
            confidence="high" if q.is_scored else "",
        )
    save_answers(assessment, user, values)


def carried_over_by_rule(old_bank, new_bank, snapshot) -> set[str]:
    """The answers the rule says carry over: same code, kind and choice labels, and a
    value the new question accepts (written out again here, independently)."""
    expected = set()
    for old in old_bank.questions:
        new = new_bank.question_by_code.get(old.code)
        if new is None or new.kind != old.kind:
            continue
        if {c.label for c in old.choices} != {c.label for c in new.choices}:
            continue
        value = snapshot.answers[old.id]
        if new.kind == "numeric" and not (new.min_value <= value.number <= new.max_value):
            continue
        if value.confidence and not new.is_scored:
            continue
        expected.add(old.code)
    return expected


def test_default_bank_v1_draft_moves_to_v2_keeping_every_unchanged_answer(assessment, owner, v2):
    answer_everything(assessment, owner)
    before = assessment_snapshot(assessment)
    exported_before = assessment_export(before)["answers"]
    old_bank, new_bank = before.bank, bank_spec(v2)
    expected = carried_over_by_rule(old_bank, new_bank, before)
    assert expected, "v1 and v2 share some unchanged questions"

    move = assessment_move_to_version(assessment=assessment, framework=v2, user=owner)

    assessment.refresh_from_db()
    assert assessment.framework_id == v2.pk
    assert set(move.carried) == expected
    assert {d["question"] for d in move.dropped} == {q.code for q in old_bank.questions} - expected
    # Every carried answer: the same choices by label, comment and confidence.
    after = assessment_snapshot(Assessment.objects.get(pk=assessment.pk))
    assert {q.code for q in new_bank.questions if q.id in after.answers} == expected
    for code in expected:
        old_q, new_q = old_bank.question_by_code[code], new_bank.question_by_code[code]
        old_value, new_value = before.answers[old_q.id], after.answers[new_q.id]
        assert answers.export_value(new_q, new_value) == answers.export_value(old_q, old_value)
        assert (new_value.comment, new_value.confidence) == (
            old_value.comment,
            old_value.confidence,
        )
    # Nothing is lost: the move keeps every previous answer as exported.
    kept = [{k: v for k, v in e.items() if k != "display"} for e in move.previous_answers]
    assert kept == exported_before
    assert len(move.previous_answers) == len(old_bank.questions) == 38
    # The status history says what happened.
    change = StatusChange.objects.filter(assessment=assessment).latest("at", "pk")
    assert (change.from_status, change.to_status, change.by) == ("draft", "draft", owner)
    assert "Moved from version 1 to version 2" in change.comment
    for code in [*expected, *(d["question"] for d in move.dropped)]:
        assert code in change.comment


def bank_pair():
    """Version 1 and 2 of a small bank, each change exercising one carry-over rule."""
    choices = [{"label": label, "score": s} for s, label in enumerate("ABC")]
    v1 = {
        "slug": "pair",
        "version": 1,
        "title": "Pair",
        "dimensions": [
            {
                "code": "d",
                "name": "D",
                "questions": [
                    {"code": "same", "text": "Same?", "kind": "single", "choices": choices},
                    {"code": "reordered", "text": "R?", "kind": "single", "choices": choices},
                    {"code": "relabelled", "text": "L?", "kind": "single", "choices": choices},
                    {"code": "multi", "text": "M?", "kind": "multi", "choices": choices},
                    {"code": "rekinded", "text": "K?", "kind": "likert"},
                    {"code": "number", "text": "N?", "kind": "numeric", "min": 0, "max": 100},
                    {"code": "no-more-na", "text": "NA?", "kind": "yesno", "allow_na": True},
                    {"code": "text", "text": "T?", "kind": "text", "required": False},
                    {"code": "gone", "text": "G?", "kind": "yesno"},
                ],
            }
        ],
        "models": [
            {
                "code": "bilateral",
                "name": "B",
                "description": "B.",
                "strengths": "S.",
                "weaknesses": "W.",
                "profile": [{"dimension": "d", "target": 50, "rationale": "R."}],
            }
        ],
        "maturity_bands": [{"min": 0, "max": 100, "label": "All"}],
    }
    v1 = validate_bank(v1, source="v1")
    v2 = validate_bank(v1, source="v2")
    v2["version"] = 2
    questions = {q["code"]: q for q in v2["dimensions"][0]["questions"]}
    questions["reordered"]["choices"] = list(reversed(questions["reordered"]["choices"]))
    questions["relabelled"]["choices"][2] = {"label": "C, renamed", "score": 2.0}
    questions["rekinded"]["kind"] = "single"
    questions["rekinded"]["choices"] = choices
    questions["number"]["max"] = 10.0
    questions["no-more-na"]["allow_na"] = False
    questions["same"]["text"] = "Same, reworded?"  # wording alone does not drop an answer
    v2["dimensions"][0]["questions"] = [q for q in questions.values() if q["code"] != "gone"]
    return validate_bank(v1, source="v1"), validate_bank(v2, source="v2")


def test_each_carry_over_rule(owner, team):
    data1, data2 = bank_pair()
    old = framework_import(data=data1, source="v1", publish=True)
    new = framework_import(data=data2, source="v2", publish=True)
    partnership = PartnershipFactory(team=team, created_by=owner)
    assessment = AssessmentFactory(partnership=partnership, owner=owner, framework=old)
    bank = bank_spec(old)

    def pick(code, *labels):
        return frozenset(c.id for c in bank.question_by_code[code].choices if c.label in labels)

    save_answers(
        assessment,
        owner,
        {
            "same": AnswerValue(choice_ids=pick("same", "B"), comment="kept"),
            "reordered": AnswerValue(choice_ids=pick("reordered", "C")),
            "relabelled": AnswerValue(choice_ids=pick("relabelled", "A")),
            "multi": AnswerValue(choice_ids=pick("multi", "A", "C")),
            "rekinded": AnswerValue(
                choice_ids=frozenset([bank.question_by_code["rekinded"].choices[0].id])
            ),
            "number": AnswerValue(number=50),
            "no-more-na": AnswerValue(is_na=True, comment="Not applicable here"),
            "text": AnswerValue(text="Free text"),
            "gone": AnswerValue(
                choice_ids=frozenset([bank.question_by_code["gone"].choices[1].id])
            ),
        },
    )
    move = assessment_move_to_version(assessment=assessment, framework=new, user=owner)
    assert move.carried == ["same", "reordered", "multi", "text"]
    reasons = {d["question"]: d["reason"] for d in move.dropped}
    assert reasons == {
        "relabelled": "choices changed",
        "rekinded": "kind changed from likert to single",
        "number": "Enter a number of at most 10.",
        "no-more-na": "This question cannot be answered N/A.",
        "gone": "not in the new version",
    }
    after = assessment_snapshot(Assessment.objects.get(pk=assessment.pk))
    new_bank = after.bank

    def shown(code):
        question = new_bank.question_by_code[code]
        return answers.export_value(question, after.answers[question.id])

    assert shown("same") == "B"
    assert shown("reordered") == "C"
    assert sorted(shown("multi")) == ["A", "C"]
    assert shown("text") == "Free text"
    assert after.answers[new_bank.question_by_code["same"].id].comment == "kept"
    assert Answer.objects.filter(assessment=assessment).count() == 4
    # The questionnaire shows the dropped answer beside the question that replaced it.
    client_page = _questionnaire(assessment, owner)
    assert "Answer in version 1: A" in client_page  # relabelled
    assert "Answer in version 1: N/A" in client_page  # no-more-na
    assert "Not applicable here" in client_page


def _questionnaire(assessment, user) -> str:
    from django.test import Client

    client = login(Client(), user)
    return client.get(reverse("assessment:questionnaire", args=[assessment.pk])).content.decode()


@pytest.mark.parametrize("status", ["submitted", "approved"])
def test_a_submitted_or_approved_assessment_cannot_move(assessment, owner, v2, status):
    Assessment.objects.filter(pk=assessment.pk).update(status=status)
    assessment.refresh_from_db()
    with pytest.raises(AssessmentLocked):
        assessment_move_to_version(assessment=assessment, framework=v2, user=owner)
    assert Assessment.objects.get(pk=assessment.pk).framework_id == assessment.framework_id
    assert not VersionMove.objects.exists()


def test_only_editors_move_and_only_to_a_newer_published_version(
    assessment, owner, reviewer, bank, v2
):
    with pytest.raises(AssessmentLocked):
        assessment_move_to_version(assessment=assessment, framework=v2, user=reviewer)
    draft = framework_new_version(framework=v2)
    other = framework_import(data=default_bank(version=2)[1] | {"slug": "other"}, source="o")
    for target in (bank, draft, other):
        with pytest.raises(ValidationError, match="newer published version"):
            assessment_move_to_version(assessment=assessment, framework=target, user=owner)
    assert not VersionMove.objects.exists()


# The page ---------------------------------------------------------------------------

MOVE_EXPECTED = {
    "anonymous": 302, "outsider": 404, "reviewer": 403,
    "owner": 200, "teammate": 200, "admin": 200,
}  # fmt: skip


@pytest.mark.parametrize("who", list(MOVE_EXPECTED))
def test_move_page_access(client, assessment, users, v2, who):
    if who != "anonymous":
        login(client, users[who])
    url = reverse("assessment:move", args=[assessment.pk])
    page = client.get(url)
    assert page.status_code == MOVE_EXPECTED[who]
    response = client.post(url, {"version": "2"})
    moved = MOVE_EXPECTED[who] == 200
    assert response.status_code == (302 if moved else MOVE_EXPECTED[who])
    assert Assessment.objects.get(pk=assessment.pk).framework_id == (
        v2.pk if moved else assessment.framework_id
    )


def test_move_page_previews_then_moves(client, assessment, owner, v2):
    answer_everything(assessment, owner)
    login(client, owner)
    questionnaire = client.get(reverse("assessment:questionnaire", args=[assessment.pk]))
    move_url = reverse("assessment:move", args=[assessment.pk])
    assert move_url in questionnaire.content.decode()  # the header offers the move
    preview = client.get(move_url)
    content = preview.content.decode()
    assert 'id="carried-title"' in content and 'id="dropped-title"' in content
    assert not VersionMove.objects.exists()  # a preview writes nothing
    response = client.post(move_url, {"version": "2"})
    assert response.status_code == 302
    assert VersionMove.objects.get().to_framework == v2
    after = client.get(reverse("assessment:questionnaire", args=[assessment.pk]))
    assert move_url not in after.content.decode()  # nothing newer now


def test_move_page_refuses_an_unlisted_version(client, assessment, owner, v2):
    login(client, owner)
    response = client.post(reverse("assessment:move", args=[assessment.pk]), {"version": "1"})
    assert response.status_code == 400
    assert Assessment.objects.get(pk=assessment.pk).framework_id == assessment.framework_id


def test_move_page_without_a_newer_version_says_so(client, assessment, owner):
    login(client, owner)
    response = client.get(reverse("assessment:move", args=[assessment.pk]))
    assert response.status_code == 404
    assert b"no newer published version" in response.content


def test_an_assessment_answered_independently_stays_on_its_version(assessment, owner, v2):
    from django.utils import timezone

    Assessment.objects.filter(pk=assessment.pk).update(
        mode="independent", reconciled_at=timezone.now()
    )
    assessment.refresh_from_db()
    with pytest.raises(AssessmentLocked, match="answered independently"):
        assessment_move_to_version(assessment=assessment, framework=v2, user=owner)
    assert not VersionMove.objects.exists()
