"""Two requests saving the same answer at once (real PostgreSQL only: SQLite
serialises writers on one file lock, so it cannot show the race)."""

import threading

import pytest
from django.db import connection

from assessment.models import Answer
from assessment.services import AnswerConflict, AnswerInput, answer_save

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(assessment, question, user, texts, base_version):
    barrier = threading.Barrier(len(texts))
    outcomes = []

    def save(text):
        try:
            barrier.wait()
            answer_save(
                assessment=assessment,
                question=question,
                user=user,
                value=AnswerInput(text=text),
                base_version=base_version,
            )
            outcomes.append(("saved", text))
        except AnswerConflict as conflict:
            outcomes.append(("conflict", conflict.current.text))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_concurrent_first_saves_create_one_answer_and_refuse_the_other(assessment, owner):
    question = assessment.framework.questions.get(code="INT-09")
    outcomes = race(assessment, question, owner, ["first", "second"], base_version=0)
    assert Answer.objects.filter(assessment=assessment, question=question).count() == 1
    stored = Answer.objects.get(assessment=assessment, question=question)
    assert sorted(kind for kind, _ in outcomes) == ["conflict", "saved"]
    winner = next(text for kind, text in outcomes if kind == "saved")
    assert stored.text == winner
    assert stored.version == 1


def test_concurrent_updates_from_the_same_version_never_lose_the_newer_value(assessment, owner):
    question = assessment.framework.questions.get(code="INT-09")
    answer_save(
        assessment=assessment,
        question=question,
        user=owner,
        value=AnswerInput(text="base"),
        base_version=0,
    )
    outcomes = race(assessment, question, owner, ["tab A", "tab B", "tab C"], base_version=1)
    stored = Answer.objects.get(assessment=assessment, question=question)
    saved = [text for kind, text in outcomes if kind == "saved"]
    assert len(saved) == 1
    assert stored.text == saved[0]
    assert stored.version == 2
    # every refused save was shown the value that won
    assert all(text == saved[0] for kind, text in outcomes if kind == "conflict")
