"""The analysis settings (PROVISIONAL_BELOW_PERCENT, DISAGREEMENT_SPREAD) as a deployment
sets them: environment variables read by a real gunicorn, pages fetched over HTTP."""

import sys
from pathlib import Path

import pytest

from .live_http import Browser, Server, app_env, free_port, manage

# Run in the server's database before it starts: an analyst, a small bank, an assessment
# with one Likert answer of four (25 % coverage), and one answered independently by two
# analysts whose scores differ by 0.25 on one question.
SETUP = """
from django.contrib.auth.models import Group, User
from assessment.answers import AnswerValue
from assessment.models import Partnership, Respondent, Team
from assessment.selectors import bank_spec
from assessment.services import (AnswerChange, answer_set_submit, answers_save,
    assessment_create, assessment_go_independent)
from frameworks.samples import likert_bank
from frameworks.services import framework_import

team = Team.objects.create(name="Desk")
analyst = Group.objects.get(name="analyst")
users = []
for name in ("ana", "bea"):
    user = User.objects.create_user(name, password="right-password-1")
    user.groups.add(analyst)
    team.members.add(user)
    users.append(user)
bank = framework_import(data=likert_bank(slug="live"), source="live", publish=True)
spec = bank_spec(bank)
partnership = Partnership.objects.create(
    name="Live", countries="A, B", declared_model="bilateral", team=team, created_by=users[0])
one = assessment_create(user=users[0], partnership=partnership, framework=bank, marking="U")
q = spec.questions[0]
answers_save(assessment=one, user=users[0],
             changes=[AnswerChange(q, AnswerValue(frozenset([q.choices[4].id])), 0)])
two = assessment_create(user=users[0], partnership=partnership, framework=bank, marking="U")
assessment_go_independent(assessment=two, user=users[0], respondents=users)
two.refresh_from_db()
for user, level in zip(users, (4, 3)):
    respondent = Respondent.objects.get(assessment=two, user=user)
    answers_save(assessment=two, user=user, respondent=respondent, changes=[
        AnswerChange(x, AnswerValue(frozenset([x.choices[level if x is q else 4].id])), 0)
        for x in spec.questions])
    answer_set_submit(assessment=two, respondent=respondent, user=user)
print(one.pk, two.pk)
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("analysis-settings")
    env = app_env(folder / "db.sqlite3", PROVISIONAL_BELOW_PERCENT="20", DISAGREEMENT_SPREAD="0.25")
    manage(env, "migrate", "--noinput")
    ids = manage(env, "shell", "--verbosity", "0", "-c", SETUP).split()
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "assessment.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
               "--no-control-socket"]  # fmt: skip
    running = Server(command, env, port, folder / "gunicorn.log")
    running.wait_until_serving()
    yield running, [int(pk) for pk in ids]
    running.stop()


def test_a_lower_provisional_threshold_lets_25_percent_coverage_claim_a_level(server):
    running, (one, _two) = server
    browser = Browser(running.url)
    assert browser.login("ana", "right-password-1").status == 302
    page = browser.request(f"/assessments/{one}/results/").text
    # 25 % answered: under the default 60 % this would be provisional, under 20 % it is not.
    assert "No maturity level: too little answered" not in page
    assert "Coverage 25% of the scored, applicable weight." in page


def test_a_smaller_disagreement_spread_flags_a_difference_of_one_level(server):
    running, (_one, two) = server
    browser = Browser(running.url)
    assert browser.login("ana", "right-password-1").status == 302
    page = browser.request(f"/assessments/{two}/agreement/").text
    # Levels 4 and 5 of a five-level scale: a spread of 0.25, a disagreement at 0.25.
    assert "1 question with a disagreement (spread of 0.25 or more" in page
