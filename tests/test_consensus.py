"""Independent answers: agreement figures (pure), blind rounds, removal, reconciliation."""

import json
import random

import krippendorff
import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import consensus
from assessment.access import AssessmentLocked
from assessment.answers import AnswerValue
from assessment.models import Answer, Respondent, StatusChange
from assessment.roles import ANALYST
from assessment.scoring import BankSpec, ChoiceSpec, DimensionSpec, QuestionSpec
from assessment.selectors import assessment_snapshot, bank_spec
from assessment.services import (
    AnswerChange,
    Decision,
    answer_set_submit,
    answers_save,
    assessment_go_independent,
    assessment_reconcile,
    respondent_remove,
)
from frameworks.services import framework_import

from .factories import AssessmentFactory, UserFactory, login, small_bank_data
from .specs import likert, pick

# --- agreement figures ------------------------------------------------------------


def five_level(qid):
    return QuestionSpec(
        qid, f"Q{qid}", "single",
        choices=tuple(ChoiceSpec(qid * 10 + v, f"v{v}", float(v)) for v in range(1, 6)),
    )  # fmt: skip


def test_alpha_on_a_hand_computed_example_with_missing_and_na_answers():
    # Two respondents agree on Q1 (level 1) and Q2 (level 5) and split on Q3 (1 vs 5);
    # a third answered nothing but N/A, which enters as missing values.
    # Two values, 3 each: D_o = 2/6, D_e = 18/30, alpha = 1 - (1/3)/(3/5) = 4/9.
    bank = BankSpec((DimensionSpec("d", "D", 1.0, tuple(five_level(i) for i in (1, 2, 3))),))
    sets = [
        {1: AnswerValue(frozenset([11])), 2: AnswerValue(frozenset([25])),
         3: AnswerValue(frozenset([31]))},
        {1: AnswerValue(frozenset([11])), 2: AnswerValue(frozenset([25])),
         3: AnswerValue(frozenset([35]))},
        {i: AnswerValue(is_na=True) for i in (1, 2, 3)},
    ]  # fmt: skip
    alpha, units = consensus.ordinal_alpha(bank, sets)
    assert units == 3
    assert alpha == pytest.approx(4 / 9)


def test_alpha_matches_krippendorffs_published_ordinal_example():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", p. 8: 0.815.
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
    questions = tuple(five_level(i) for i in range(1, 13))
    bank = BankSpec((DimensionSpec("d", "D", 1.0, questions),))
    sets = [
        {
            q.id: AnswerValue(frozenset([q.id * 10 + v]))
            for q, v in zip(questions, row, strict=True)
            if v
        }
        for row in data
    ]
    alpha, _units = consensus.ordinal_alpha(bank, sets)
    assert round(alpha, 3) == 0.815


def test_alpha_matches_the_package_on_random_answer_sets():
    rng = random.Random(5)
    questions = tuple(five_level(i) for i in range(1, 21))
    bank = BankSpec((DimensionSpec("d", "D", 1.0, questions),))
    for _ in range(20):
        sets, matrix = [], []
        for _respondent in range(rng.randint(2, 6)):
            answers, row = {}, []
            for q in questions:
                level = rng.choice([None, "na", 1, 2, 3, 4, 5, 5, 4])
                if level == "na":
                    answers[q.id] = AnswerValue(is_na=True)
                    row.append(np.nan)
                elif level is None:
                    row.append(np.nan)
                else:
                    answers[q.id] = AnswerValue(frozenset([q.id * 10 + level]))
                    row.append((level - 1) / 4)
            sets.append(answers)
            matrix.append(row)
        expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="ordinal")
        assert consensus.ordinal_alpha(bank, sets)[0] == pytest.approx(expected)


def test_alpha_is_undefined_without_variation_or_pairs():
    bank = BankSpec((DimensionSpec("d", "D", 1.0, (five_level(1), five_level(2))),))
    same = {1: AnswerValue(frozenset([13])), 2: AnswerValue(frozenset([23]))}
    assert consensus.ordinal_alpha(bank, [same, same])[0] is None
    assert consensus.ordinal_alpha(bank, [same])[0] is None
    assert consensus.ordinal_alpha(bank, [same, {}])[0] is None


def test_spread_modal_answer_and_disagreements():
    q = likert(1, "L", allow_na=True)
    row = consensus.question_agreement(q, [pick(1, 1), pick(1, 3), pick(1, 3)], 0.5)
    assert row.spread == 0.5 and row.disagreement
    assert [v.choice_ids for v in row.modal] == [frozenset([13])]
    assert row.agreed is None
    close = consensus.question_agreement(q, [pick(1, 2), pick(1, 3)], 0.5)
    assert close.spread == 0.25 and not close.disagreement
    assert len(close.modal) == 2  # a tie
    same = consensus.question_agreement(
        q, [pick(1, 4, comment="a"), pick(1, 4, confidence="low")], 0.5
    )
    assert same.agreed is not None and same.spread == 0.0
    split = consensus.question_agreement(q, [pick(1, 4), AnswerValue(is_na=True)], 0.5)
    assert split.spread == 0.0 and split.disagreement and split.split_on_na
    missing = consensus.question_agreement(q, [pick(1, 4), None], 0.5)
    assert missing.agreed is None and not missing.disagreement


# --- the workflow --------------------------------------------------------------------


@pytest.fixture
def third(team):
    user = UserFactory(username="third", role=ANALYST)
    team.members.add(user)
    return user


@pytest.fixture
def bystander(team):
    user = UserFactory(username="bystander", role=ANALYST)
    team.members.add(user)
    return user


@pytest.fixture
def independent(partnership, owner, teammate, third, bystander):
    bank = framework_import(data=small_bank_data(slug="indep"), source="t", publish=True)
    assessment = AssessmentFactory(partnership=partnership, owner=owner, framework=bank)
    assessment_go_independent(
        assessment=assessment, user=owner, respondents=[owner, teammate, third]
    )
    assessment.refresh_from_db()
    return assessment


def respondent(assessment, user):
    return Respondent.objects.get(assessment=assessment, user=user)


def answer_set(assessment, user, levels: dict, comment=""):
    bank = bank_spec(assessment.framework)
    answers_save(
        assessment=assessment,
        user=user,
        respondent=respondent(assessment, user),
        changes=[
            AnswerChange(
                bank.question_by_code[code],
                AnswerValue(
                    frozenset([bank.question_by_code[code].choices[level - 1].id]),
                    comment=comment,
                ),
                0,
            )
            for code, level in levels.items()
        ],
    )


ALL = ("d0-000", "d0-001", "d1-000", "d1-001")


def answer_and_submit(assessment, user, levels):
    answer_set(assessment, user, levels, comment=f"{user.username}'s evidence")
    answer_set_submit(assessment=assessment, respondent=respondent(assessment, user), user=user)


def test_going_independent_needs_2_to_8_analysts_of_the_team_and_no_answers(
    partnership, owner, teammate, outsider
):
    bank = framework_import(data=small_bank_data(slug="x"), source="t", publish=True)
    assessment = AssessmentFactory(partnership=partnership, owner=owner, framework=bank)
    with pytest.raises(ValidationError, match="between 2 and 8"):
        assessment_go_independent(assessment=assessment, user=owner, respondents=[owner])
    with pytest.raises(ValidationError, match="Not analysts of this team: outsider"):
        assessment_go_independent(assessment=assessment, user=owner, respondents=[owner, outsider])
    with pytest.raises(AssessmentLocked):
        assessment_go_independent(
            assessment=assessment, user=teammate, respondents=[owner, teammate]
        )
    assert not Respondent.objects.exists()
    assessment_go_independent(assessment=assessment, user=owner, respondents=[owner, teammate])
    assessment.refresh_from_db()
    assert len(assessment_snapshot(assessment).sets.respondents) == 2


def test_the_owner_chooses_respondents_on_the_page(client, partnership, owner, teammate, third):
    bank = framework_import(data=small_bank_data(slug="y"), source="t", publish=True)
    assessment = AssessmentFactory(partnership=partnership, owner=owner, framework=bank)
    login(client, owner)
    url = reverse("assessment:independent", args=[assessment.pk])
    page = client.get(url).content.decode()
    assert "owner (you)" in page and "teammate" in page
    refused = client.post(url, {"respondents": [owner.pk]})
    assert refused.status_code == 400 and b"Choose between 2 and 8" in refused.content
    response = client.post(url, {"respondents": [owner.pk, teammate.pk, third.pk]})
    assert response.status_code == 302
    assert sorted(assessment.respondents.values_list("user__username", flat=True)) == [
        "owner", "teammate", "third"
    ]  # fmt: skip
    # The assessment's own questionnaire now waits for the reconciliation.
    own = client.get(reverse("assessment:questionnaire", args=[assessment.pk]))
    assert own.status_code == 302 and own.url == url


def test_blind_rounds_show_nobody_anyone_elses_answers_before_every_set_is_in(
    client, independent, owner, teammate, third
):
    answer_and_submit(independent, owner, dict.fromkeys(ALL, 5))
    answer_set(independent, teammate, {"d0-000": 1}, comment="teammate's secret")
    secret = "owner's evidence"
    login(client, teammate)
    pages = [
        reverse("assessment:independent", args=[independent.pk]),
        reverse("assessment:review", args=[independent.pk]),
        reverse("assessment:results", args=[independent.pk]),
        reverse("assessment:export_answers_csv", args=[independent.pk]),
    ]
    for url in pages:
        response = client.get(url)
        body = response.getvalue() if hasattr(response, "getvalue") else response.content
        assert secret.encode() not in body, url
    export = json.loads(
        client.get(reverse("assessment:export_json", args=[independent.pk])).getvalue()
    )
    assert export["answers"] == [] and export["agreement"] is None
    assert [r["status"] for r in export["respondents"]] == [None, None, None]
    owner_set = respondent(independent, owner)
    assert (
        client.get(
            reverse("assessment:answer_set", args=[independent.pk, owner_set.pk])
        ).status_code
        == 403
    )
    assert client.get(reverse("assessment:agreement", args=[independent.pk])).status_code == 403
    # The owner sees who has submitted, but not the teammate's answers.
    login(client, owner)
    overview = client.get(reverse("assessment:independent", args=[independent.pk])).content.decode()
    assert "Submitted" in overview and "teammate&#x27;s secret" not in overview
    theirs = respondent(independent, teammate)
    assert (
        client.get(reverse("assessment:answer_set", args=[independent.pk, theirs.pk])).status_code
        == 403
    )
    pdf = client.get(reverse("assessment:export_pdf", args=[independent.pk])).getvalue()
    assert b"secret" not in pdf


def test_a_respondent_answers_only_their_own_set_and_only_until_submitting(
    client, independent, owner, teammate, bystander
):
    bank = bank_spec(independent.framework)
    question = bank.questions[0]
    data = {f"q{question.id}_value": str(question.choices[2].id), f"q{question.id}_version": "0"}
    autosave = reverse("assessment:my_autosave", args=[independent.pk, question.id])
    login(client, bystander)  # a teammate who is not a respondent
    assert client.post(autosave, data).status_code == 404
    assert client.get(reverse("assessment:my_answers", args=[independent.pk])).status_code == 404
    login(client, teammate)
    assert client.post(autosave, data).status_code == 200
    stored = Answer.objects.get(respondent__user=teammate)
    assert stored.assessment_id == independent.pk and stored.choice_id == question.choices[2].id
    assert not Answer.objects.filter(respondent__isnull=True).exists()
    refused = client.post(reverse("assessment:submit_set", args=[independent.pk]))
    assert refused.status_code == 400 and b"required questions are unanswered" in refused.content
    answer_and_submit(independent, teammate, dict.fromkeys(ALL, 3))
    late = client.post(autosave, {**data, f"q{question.id}_version": "2"})
    assert late.status_code == 403 and b"submitted" in late.content


def test_removing_a_respondent_keeps_their_answers_and_is_recorded(
    client, independent, owner, teammate, third
):
    answer_set(independent, third, {"d0-000": 2}, comment="third's notes")
    login(client, owner)
    removed = respondent(independent, third)
    url = reverse("assessment:remove_respondent", args=[independent.pk, removed.pk])
    assert client.post(url).status_code == 302
    removed.refresh_from_db()
    assert removed.status == "removed" and removed.removed_by == owner
    assert Answer.objects.filter(respondent=removed, comment="third's notes").exists()
    assert StatusChange.objects.filter(
        assessment=independent, comment__contains="third removed"
    ).exists()
    # Two must remain.
    with pytest.raises(ValidationError, match="At least 2"):
        respondent_remove(
            assessment=independent, respondent=respondent(independent, teammate), user=owner
        )
    # Only the owner or an admin removes.
    login(client, teammate)
    other = respondent(independent, owner)
    url = reverse("assessment:remove_respondent", args=[independent.pk, other.pk])
    assert client.post(url).status_code == 403


def reveal(independent, owner, teammate, third):
    answer_and_submit(independent, owner, {"d0-000": 5, "d0-001": 4, "d1-000": 2, "d1-001": 4})
    answer_and_submit(independent, teammate, {"d0-000": 5, "d0-001": 4, "d1-000": 5, "d1-001": 3})
    answer_and_submit(independent, third, {"d0-000": 5, "d0-001": 4, "d1-000": 3, "d1-001": 4})


def test_after_reveal_everyone_on_the_team_sees_the_agreement(
    client, independent, owner, teammate, third, bystander, reviewer, outsider
):
    reveal(independent, owner, teammate, third)
    url = reverse("assessment:agreement", args=[independent.pk])
    for user in (owner, teammate, third, bystander):
        login(client, user)
        response = client.get(url)
        assert response.status_code == 200, user
    page = response.content.decode()
    # d1-000 spread: levels 2 and 5 -> 0.25 .. 1.0 = 0.75: a disagreement, listed first.
    assert page.index("d1-000") < page.index("d0-000")
    assert "disagreement" in page and "Krippendorff" in page
    assert "owner&#x27;s evidence" in page
    login(client, reviewer)  # a reviewer waits for the submission
    assert client.get(url).status_code == 403
    login(client, outsider)
    assert client.get(url).status_code == 404


def test_reconciliation_needs_a_rationale_where_respondents_disagreed(
    independent, owner, teammate, third
):
    reveal(independent, owner, teammate, third)
    snapshot = assessment_snapshot(independent)
    bank = snapshot.bank
    mine = respondent(independent, owner)
    decisions = [Decision(q, snapshot.sets.of(mine)[q.id], "", mine) for q in bank.questions]
    with pytest.raises(ValidationError) as excinfo:
        assessment_reconcile(assessment=independent, user=owner, decisions=decisions)
    assert set(excinfo.value.message_dict) == {"d1-000"}
    assert not Answer.objects.filter(respondent__isnull=True).exists()
    decisions = [
        Decision(d.question, d.value, "Two of three saw the MoU." if d.question.code == "d1-000"
                 else "", d.source)
        for d in decisions
    ]  # fmt: skip
    assert assessment_reconcile(assessment=independent, user=owner, decisions=decisions) == 4
    reconciled = Answer.objects.get(respondent__isnull=True, question__code="d1-000")
    assert (reconciled.rationale, reconciled.reconciled_from) == ("Two of three saw the MoU.", mine)
    # Every set is kept, read-only.
    assert Answer.objects.filter(respondent__isnull=False).count() == 12
    with pytest.raises(AssessmentLocked):
        answer_set(independent, teammate, {"d0-000": 1})


def test_reconciled_answers_score_exactly_as_if_typed_in(
    client, independent, owner, teammate, third, partnership
):
    reveal(independent, owner, teammate, third)
    login(client, owner)
    snapshot = assessment_snapshot(independent)
    form = {}
    for r in reconcile_picks(snapshot, "teammate"):
        form.update(r)
    form[f"r{snapshot.bank.question_by_code['d1-000'].id}_rationale"] = "Latest exercise report."
    response = client.post(reverse("assessment:reconcile", args=[independent.pk]), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    typed = AssessmentFactory(partnership=partnership, owner=owner, framework=independent.framework)
    answer_set_plain(typed, owner, {"d0-000": 5, "d0-001": 4, "d1-000": 5, "d1-001": 3})
    independent.refresh_from_db()
    reconciled = assessment_snapshot(independent)
    assert reconciled.score == assessment_snapshot(typed).score
    assert reconciled.agreement is not None and reconciled.assessment.reconciled_at
    data = json.loads(
        client.get(reverse("assessment:export_json", args=[independent.pk])).getvalue()
    )
    assert data["agreement"]["alpha"] == reconciled.agreement.alpha
    d1 = next(q for q in data["agreement"]["questions"] if q["question"] == "d1-000")
    assert d1["values"] == {
        "owner": "Disagree",
        "teammate": "Strongly agree",
        "third": "Neither agree nor disagree",
    }
    assert d1["rationale"] == "Latest exercise report." and d1["reconciled_from"] == "teammate"
    assert d1["spread"] == 0.75 and d1["disagreement"] is True
    # Reconciling again: refused with the reason, nothing changes.
    again = client.get(reverse("assessment:reconcile", args=[independent.pk]))
    assert again.status_code == 403
    assert "These answers were reconciled on" in again.content.decode()
    resent = client.post(reverse("assessment:reconcile", args=[independent.pk]), form)
    assert resent.status_code == 403
    assert assessment_snapshot(independent).score == reconciled.score


def reconcile_picks(snapshot, username):
    chosen = next(r for r in snapshot.sets.active if r.user.username == username)
    return [{f"r{q.id}_pick": f"s{chosen.pk}"} for q in snapshot.bank.questions]


def answer_set_plain(assessment, user, levels):
    bank = bank_spec(assessment.framework)
    answers_save(
        assessment=assessment,
        user=user,
        changes=[
            AnswerChange(
                bank.question_by_code[c],
                AnswerValue(frozenset([bank.question_by_code[c].choices[lv - 1].id])),
                0,
            )
            for c, lv in levels.items()
        ],
    )


def test_the_reconcile_page_prefills_agreed_questions_and_keeps_typed_rationales(
    client, independent, owner, teammate, third
):
    reveal(independent, owner, teammate, third)
    login(client, owner)
    url = reverse("assessment:reconcile", args=[independent.pk])
    page = client.get(url).content.decode()
    q = bank_spec(independent.framework).question_by_code["d0-000"]
    mine = respondent(independent, owner)
    assert f'value="s{mine.pk}" checked' in page  # everyone chose level 5
    d1 = bank_spec(independent.framework).question_by_code["d1-000"]
    back = client.post(url, {f"r{d1.id}_pick": "other", f"r{d1.id}_value": str(d1.choices[3].id),
                             f"r{d1.id}_rationale": "Typed before the error"})  # fmt: skip
    assert back.status_code == 400
    content = back.content.decode()
    assert "Typed before the error" in content
    assert f"reconcile-{q.code}" in content and "Choose an answer." in content
    login(client, teammate)  # not the owner
    assert client.get(url).status_code == 403


def test_agreement_and_reconcile_queries_do_not_grow_with_respondents_or_questions(
    client, partnership, owner, team
):
    counts = []
    for n_resp, n_q in ((2, 2), (5, 12)):
        users = [owner] + [UserFactory(role=ANALYST) for _ in range(n_resp - 1)]
        for u in users:
            team.members.add(u)
        bank = framework_import(
            data=small_bank_data(slug=f"q{n_q}", questions_per_dimension=n_q), source="t",
            publish=True,
        )  # fmt: skip
        a = AssessmentFactory(partnership=partnership, owner=owner, framework=bank)
        assessment_go_independent(assessment=a, user=owner, respondents=users)
        a.refresh_from_db()
        spec = bank_spec(bank)
        for u in users:
            answer_set(a, u, {q.code: 1 + (u.pk + i) % 5 for i, q in enumerate(spec.questions)})
            answer_set_submit(assessment=a, respondent=respondent(a, u), user=u)
        login(client, owner)
        row = []
        for name in ("agreement", "reconcile", "independent", "results"):
            url = reverse(f"assessment:{name}", args=[a.pk])
            client.get(url)
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            row.append(len(ctx.captured_queries))
        counts.append(row)
    assert counts[0] == counts[1], counts


# --- access matrix of the new pages, before and after reveal -----------------------

# who: the respondent teammate, a non-respondent teammate, the owner (a respondent),
# a reviewer, an admin, an outsider, anonymous. Expected GET status per page.
BEFORE = {
    "independent": {"teammate": 200, "bystander": 200, "owner": 200, "reviewer": 200,
                    "boss": 200, "outsider": 404, None: 302},
    "agreement": {"teammate": 403, "bystander": 403, "owner": 403, "reviewer": 403,
                  "boss": 403, "outsider": 404, None: 302},
    "reconcile": {"teammate": 403, "bystander": 403, "owner": 403, "reviewer": 403,
                  "boss": 403, "outsider": 404, None: 302},
    "my_answers": {"teammate": 200, "bystander": 404, "owner": 200, "reviewer": 404,
                   "boss": 404, "outsider": 404, None: 302},
    "my_set": {"teammate": 200, "bystander": 404, "owner": 200, "reviewer": 404,
               "boss": 404, "outsider": 404, None: 302},
    "owner_set": {"teammate": 403, "bystander": 403, "owner": 302, "reviewer": 403,
                  "boss": 403, "outsider": 404, None: 302},
}  # fmt: skip
AFTER = {
    **BEFORE,
    "agreement": {"teammate": 200, "bystander": 200, "owner": 200, "reviewer": 403,
                  "boss": 200, "outsider": 404, None: 302},
    "reconcile": {"teammate": 403, "bystander": 403, "owner": 200, "reviewer": 403,
                  "boss": 200, "outsider": 404, None: 302},
    "my_answers": {"teammate": 302, "bystander": 404, "owner": 302, "reviewer": 404,
                   "boss": 404, "outsider": 404, None: 302},
    "owner_set": {"teammate": 200, "bystander": 200, "owner": 302, "reviewer": 403,
                  "boss": 200, "outsider": 404, None: 302},
}  # fmt: skip


def page_url(name, assessment, owner):
    if name == "owner_set":
        return reverse(
            "assessment:answer_set", args=[assessment.pk, respondent(assessment, owner).pk]
        )
    return reverse(f"assessment:{name}", args=[assessment.pk])


@pytest.mark.parametrize("revealed", [False, True], ids=["before reveal", "after reveal"])
def test_independent_pages_follow_the_access_matrix(
    client, independent, users, owner, teammate, third, bystander, revealed
):
    if revealed:
        reveal(independent, owner, teammate, third)
    table = AFTER if revealed else BEFORE
    people = {**{u.username: u for u in users.values()}, "bystander": bystander, None: None}
    for name, expected in table.items():
        for who, status in expected.items():
            client.logout()
            if who is not None:
                login(client, people[who])
            response = client.get(page_url(name, independent, owner))
            assert response.status_code == status, (name, who, revealed)


@pytest.mark.parametrize("who", ["bystander", "reviewer", "outsider", None])
def test_writes_of_the_new_pages_are_refused_and_store_nothing(
    client, independent, users, owner, teammate, third, bystander, who
):
    reveal(independent, owner, teammate, third)
    people = {**{u.username: u for u in users.values()}, "bystander": bystander}
    if who is not None:
        login(client, people[who])
    q = bank_spec(independent.framework).questions[0]
    third_set = respondent(independent, third)
    before = (Answer.objects.count(), Respondent.objects.filter(status="removed").count())
    writes = [
        (reverse("assessment:reconcile", args=[independent.pk]), {f"r{q.id}_pick": "other"}),
        (reverse("assessment:remove_respondent", args=[independent.pk, third_set.pk]), {}),
        (reverse("assessment:submit_set", args=[independent.pk]), {}),
        (reverse("assessment:my_autosave", args=[independent.pk, q.id]),
         {f"q{q.id}_value": str(q.choices[0].id), f"q{q.id}_version": "0"}),
        (reverse("assessment:independent", args=[independent.pk]), {"respondents": [owner.pk]}),
    ]  # fmt: skip
    for url, data in writes:
        response = client.post(url, data)
        if who is None:
            assert response.status_code == 302 and response.url.startswith(reverse("login"))
        else:
            assert response.status_code in (403, 404), (url, response.status_code)
    assert (Answer.objects.count(), Respondent.objects.filter(status="removed").count()) == before


def test_an_answer_changed_after_the_reconciliation_loses_its_rationale_and_says_so(
    client, independent, owner, teammate, third
):
    reveal(independent, owner, teammate, third)
    snapshot = assessment_snapshot(independent)
    mine = respondent(independent, owner)
    assessment_reconcile(
        assessment=independent,
        user=owner,
        decisions=[
            Decision(q, snapshot.sets.of(mine)[q.id], "Reasoned choice.", mine)
            for q in snapshot.bank.questions
        ],
    )
    independent.refresh_from_db()
    d1 = bank_spec(independent.framework).question_by_code["d1-000"]
    answers_save(
        assessment=independent,
        user=owner,
        changes=[AnswerChange(d1, AnswerValue(frozenset([d1.choices[0].id])), 1)],
    )
    changed = Answer.objects.get(respondent__isnull=True, question_id=d1.id)
    assert (changed.rationale, changed.reconciled_from) == ("", None)
    login(client, owner)
    page = client.get(reverse("assessment:agreement", args=[independent.pk])).content.decode()
    assert "changed after the reconciliation by owner, with no rationale" in page
    data = json.loads(
        client.get(reverse("assessment:export_json", args=[independent.pk])).getvalue()
    )
    row = next(q for q in data["agreement"]["questions"] if q["question"] == "d1-000")
    assert row["changed_after_reconciliation_by"] == "owner" and not row["rationale"]
    untouched = next(q for q in data["agreement"]["questions"] if q["question"] == "d0-000")
    assert untouched["changed_after_reconciliation_by"] is None
    assert untouched["rationale"] == "Reasoned choice."


def test_an_empty_other_answer_is_refused_and_typed_values_come_back(
    client, independent, owner, teammate, third
):
    reveal(independent, owner, teammate, third)
    login(client, owner)
    d1 = bank_spec(independent.framework).question_by_code["d1-000"]
    d0 = bank_spec(independent.framework).question_by_code["d0-001"]
    response = client.post(
        reverse("assessment:reconcile", args=[independent.pk]),
        {f"r{d1.id}_pick": "other", f"r{d1.id}_rationale": "Typed rationale",
         f"r{d0.id}_pick": "other", f"r{d0.id}_value": str(d0.choices[1].id)},
    )  # fmt: skip
    assert response.status_code == 400
    content = response.content.decode()
    assert "Enter the other answer, or choose one of theirs." in content
    assert f'<option value="{d0.choices[1].id}" selected>' in content
    assert "Typed rationale" in content
    assert not Answer.objects.filter(respondent__isnull=True).exists()
