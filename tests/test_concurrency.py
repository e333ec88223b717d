"""Two requests saving the same answer at once (real PostgreSQL only: SQLite
serialises writers on one file lock, so it cannot show the race)."""

import threading

import pytest
from django.db import connection

from assessment.answers import AnswerValue
from assessment.models import Answer
from assessment.selectors import bank_spec
from assessment.services import AnswerChange, answers_save

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(assessment, question, user, texts, base_version):
    barrier = threading.Barrier(len(texts))
    outcomes = []

    def save(text):
        try:
            barrier.wait()
            result = answers_save(
                assessment=assessment,
                user=user,
                changes=[AnswerChange(question, AnswerValue(text=text), base_version)],
            )
            if question.id in result.conflicts:
                outcomes.append(("conflict", result.conflicts[question.id].value.text))
            else:
                outcomes.append(("saved", text))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_concurrent_first_saves_create_one_answer_and_refuse_the_other(assessment, owner):
    question = bank_spec(assessment.framework).question_by_code["INT-09"]
    outcomes = race(assessment, question, owner, ["first", "second"], base_version=0)
    stored = Answer.objects.get(assessment=assessment, question_id=question.id)
    assert sorted(kind for kind, _ in outcomes) == ["conflict", "saved"]
    winner = next(text for kind, text in outcomes if kind == "saved")
    assert stored.text == winner
    assert stored.version == 1


def test_concurrent_updates_from_the_same_version_never_lose_the_newer_value(assessment, owner):
    question = bank_spec(assessment.framework).question_by_code["INT-09"]
    answers_save(
        assessment=assessment,
        user=owner,
        changes=[AnswerChange(question, AnswerValue(text="base"), 0)],
    )
    outcomes = race(assessment, question, owner, ["tab A", "tab B", "tab C"], base_version=1)
    stored = Answer.objects.get(assessment=assessment, question_id=question.id)
    saved = [text for kind, text in outcomes if kind == "saved"]
    assert len(saved) == 1
    assert stored.text == saved[0]
    assert stored.version == 2
    # every refused save was shown the value that won
    assert all(text == saved[0] for kind, text in outcomes if kind == "conflict")
