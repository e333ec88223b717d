"""Differences between bank versions: the pure diff, the command and the page."""

import copy

import pytest
from django.core.management import CommandError, call_command

from frameworks.diff import ADDED, CHANGED, REMOVED, SAME, diff_banks, diff_lines, text_segments
from frameworks.io import validate_bank
from frameworks.samples import likert_bank


def base() -> dict:
    """Two dimensions (d0, d1) of three Likert questions each, three models."""
    return likert_bank(slug="bank", dimensions=2, questions_per_dimension=3)


def changed(data: dict, edit) -> dict:
    new = copy.deepcopy(data)
    new["version"] = data["version"] + 1
    edit(new)
    return validate_bank(new, source="test")


def question(data: dict, code: str) -> dict:
    return next(q for d in data["dimensions"] for q in d["questions"] if q["code"] == code)


def test_identical_versions_have_no_differences():
    diff = diff_banks(base(), changed(base(), lambda new: None))
    assert diff.is_empty
    assert diff.counts == {}
    assert diff.unchanged_questions == 6
    assert diff_lines(diff)[-1] == "No differences."


def test_questions_are_matched_by_code_added_and_removed():
    def edit(new):
        questions = new["dimensions"][0]["questions"]
        questions.pop(1)  # d0-001 removed
        questions.append({"code": "d0-new", "text": "A new question?", "kind": "yesno"})

    diff = diff_banks(base(), changed(base(), edit))
    by_code = {q.code: q for q in diff.questions}
    assert by_code["d0-new"].status == ADDED
    assert by_code["d0-001"].status == REMOVED
    assert by_code["d0-000"].status == SAME
    assert diff.counts == {"added": 1, "removed": 1}
    assert diff.unchanged_questions == 5


def test_every_question_field_change_is_named():
    def edit(new):
        q = question(new, "d0-000")
        q.update(
            text="Question d0 zero, reworded",
            guidance="Now with guidance.",
            weight=2.5,
            required=False,
            allow_na=True,
            scored=False,
            references=["Essay, part 2"],
        )
        question(new, "d1-002").update(kind="single")

    diff = diff_banks(base(), changed(base(), edit))
    first = next(q for q in diff.questions if q.code == "d0-000")
    assert first.status == CHANGED
    assert {c.field: (c.old, c.new) for c in first.changes} == {
        "text": ("Question d0 0", "Question d0 zero, reworded"),
        "guidance": ("", "Now with guidance."),
        "weight": (1.0, 2.5),
        "required": (True, False),
        "allow_na": (False, True),
        "scored": (True, False),
        "references": ([], ["Essay, part 2"]),
    }
    assert first.kinds_of_change == [
        "reworded", "guidance changed", "re-weighted", "required changed", "N/A changed",
        "scored changed", "references changed",
    ]  # fmt: skip
    rekinded = next(q for q in diff.questions if q.code == "d1-002")
    assert rekinded.kinds_of_change == ["re-kinded"]
    assert diff.counts["re-kinded"] == 1
    assert diff.counts["reworded"] == 1


def test_choices_added_removed_relabelled_and_rescored():
    def edit(new):
        choices = question(new, "d0-000")["choices"]
        choices[0]["score"] = 0.5  # "Strongly disagree" rescored
        choices[1]["label"] = "Mostly disagree"  # relabelled in place
        del choices[2]  # "Neither agree nor disagree" removed
        choices.append({"label": "Cannot say", "score": 3})  # added

    diff = diff_banks(base(), changed(base(), edit))
    q = next(q for q in diff.questions if q.code == "d0-000")
    found = [(c.status, c.old_label, c.new_label, c.old_score, c.new_score) for c in q.choices]
    assert found == [
        (CHANGED, "Strongly disagree", "Strongly disagree", 1.0, 0.5),
        (CHANGED, "Disagree", "Mostly disagree", 2.0, 2.0),
        (SAME, "Agree", "Agree", 4.0, 4.0),
        (SAME, "Strongly agree", "Strongly agree", 5.0, 5.0),
        (CHANGED, "Neither agree nor disagree", "Cannot say", 3.0, 3.0),
    ]
    rescored, relabelled = q.choices[0], q.choices[1]
    assert rescored.rescored and not rescored.relabelled
    assert relabelled.relabelled and not relabelled.rescored
    assert q.kinds_of_change == ["choices changed"]


def test_a_choice_only_added_or_only_removed():
    def edit(new):
        question(new, "d0-000")["choices"].append({"label": "Extra", "score": 5})
        del question(new, "d0-001")["choices"][-1]

    diff = diff_banks(base(), changed(base(), edit))
    added = next(q for q in diff.questions if q.code == "d0-000").choice_changes
    removed = next(q for q in diff.questions if q.code == "d0-001").choice_changes
    assert [(c.status, c.new_label) for c in added] == [(ADDED, "Extra")]
    assert [(c.status, c.old_label) for c in removed] == [(REMOVED, "Strongly agree")]


def test_a_question_moved_to_another_dimension_is_moved_not_removed():
    def edit(new):
        moved = new["dimensions"][0]["questions"].pop(0)
        new["dimensions"][1]["questions"].append(moved)

    diff = diff_banks(base(), changed(base(), edit))
    q = next(q for q in diff.questions if q.code == "d0-000")
    assert (q.status, q.moved_from, q.kinds_of_change) == (CHANGED, "d0", ["moved"])
    assert [d.code for d in diff.changed_dimensions] == ["d1"]
    assert diff.counts == {"moved": 1}


def test_reordering_names_the_fewest_questions_and_choices_that_moved():
    def edit(new):
        questions = new["dimensions"][0]["questions"]
        questions[0], questions[1] = questions[1], questions[0]  # d0-001 moved up
        choices = question(new, "d1-000")["choices"]
        choices.insert(0, choices.pop())  # "Strongly agree" moved to the top

    diff = diff_banks(base(), changed(base(), edit))
    reordered = [q.code for q in diff.questions if q.reordered]
    assert len(reordered) == 1 and reordered[0] in ("d0-000", "d0-001")
    assert diff.counts == {"choices changed": 1, "reordered": 1}
    moved = next(q for q in diff.questions if q.code == "d1-000").choice_changes
    assert [(c.new_label, c.what) for c in moved] == [("Strongly agree", "moved")]
    assert "      moved up or down within the dimension" in diff_lines(diff)


def test_dimensions_added_removed_and_changed():
    def edit(new):
        new["dimensions"][0].update(name="Dimension zero", weight=2)
        gone = new["dimensions"].pop(1)
        new["dimensions"].append({**gone, "code": "d9", "name": "Dimension nine"})
        for model in new["models"]:
            for entry in model["profile"]:
                if entry["dimension"] == "d1":
                    entry["dimension"] = "d9"

    diff = diff_banks(base(), changed(base(), edit))
    dims = {d.code: d for d in diff.dimensions}
    assert dims["d0"].status == CHANGED
    assert {c.field for c in dims["d0"].changes} == {"name", "weight"}
    assert dims["d9"].status == ADDED
    assert dims["d1"].status == REMOVED
    # Questions keep their codes, so they moved with their dimension's new code.
    assert {q.code: q.moved_from for q in dims["d9"].questions} == {
        "d1-000": "d1", "d1-001": "d1", "d1-002": "d1",
    }  # fmt: skip
    assert dims["d1"].questions == ()


def test_red_lines_conditions_targets_ready_at_and_bands():
    original = changed(
        base(),
        lambda new: new.update(
            red_lines=[{"question": "d0-000", "below": 0.5, "cap": 30, "reason": "Safeguard."}]
        ),
    )

    def edit(new):
        new["ready_at"] = 85
        new["red_lines"][0]["cap"] = 20
        new["red_lines"].append(
            {"question": "d1-000", "below": 0.25, "cap": 40, "reason": "Second safeguard."}
        )
        bilateral = next(m for m in new["models"] if m["code"] == "bilateral")
        bilateral["profile"][0]["target"] = 55
        bilateral["profile"][1]["rationale"] = "Reasoned again."
        bilateral["conditions"] = [{"question": "d0-001", "at_least": 0.75, "why": "Needed."}]
        new["maturity_bands"][0]["label"] = "Emerging"

    old = {**original, "version": 1}
    diff = diff_banks(old, changed(original, edit))
    assert [(c.field, c.old, c.new) for c in diff.settings] == [("ready_at", 90.0, 85.0)]
    assert [(r.question, r.status) for r in diff.red_lines] == [
        ("d0-000", CHANGED), ("d1-000", ADDED),
    ]  # fmt: skip
    assert [(c.field, c.old, c.new) for c in diff.red_lines[0].changes] == [("cap", 30.0, 20.0)]
    [model] = diff.changed_models
    assert model.code == "bilateral"
    assert [(d, [(c.field, c.new) for c in ch]) for d, ch in model.targets] == [
        ("d0", [("target", 55.0)]), ("d1", [("rationale", "Reasoned again.")]),
    ]  # fmt: skip
    assert [(c.question, c.status) for c in model.conditions] == [("d0-001", ADDED)]
    assert diff.bands_changed
    assert diff.counts == {}  # no question changed


def test_text_segments_mark_changed_words_only():
    old, new = "Which arrangement governs sharing?", "Which written arrangement governs sharing?"
    assert text_segments(old, new) == (
        [("equal", old)],
        [("equal", "Which "), ("insert", "written "), ("equal", "arrangement governs sharing?")],
    )
    assert text_segments("old words", "new words") == (
        [("delete", "old "), ("equal", "words")],
        [("insert", "new "), ("equal", "words")],
    )
    assert text_segments("Question d0 0", "Reworded question") == (
        [("delete", "Question d0 0")],
        [("insert", "Reworded question")],
    )
    rewritten = ("Which arrangement governs the sharing?", "What secure channel carries the data?")
    assert text_segments(*rewritten) == ([("delete", rewritten[0])], [("insert", rewritten[1])])
    assert text_segments("Who shares between the partners?", "Who shares?") == (
        [("equal", "Who shares "), ("delete", "between the partners"), ("equal", "?")],
        [("equal", "Who shares?")],
    )


def test_diff_lines_read_like_a_summary():
    def edit(new):
        question(new, "d0-000")["text"] = "Reworded question"
        question(new, "d0-001")["choices"].append({"label": "Extra", "score": 5})

    lines = diff_lines(diff_banks(base(), changed(base(), edit)))
    assert lines[0] == "bank: version 1 -> version 2"
    assert lines[1] == "Questions: 1 reworded, 1 choices changed; 4 unchanged."
    assert "Dimension d0 (Dimension d0)" in lines
    assert "  ~ d0-000: reworded" in lines
    assert "      Question: 'Question d0 0' -> 'Reworded question'" in lines
    assert "      + choice 'Extra' (score 5)" in lines


# The command ------------------------------------------------------------------------


@pytest.fixture
def two_versions(db):
    from frameworks.services import framework_import

    old = base()
    framework_import(data=old, source="t", publish=True)
    new = changed(old, lambda new: question(new, "d0-000").update(text="Reworded question"))
    framework_import(data=new, source="t", publish=True)


def test_diff_framework_command_prints_the_changes(two_versions, capsys):
    call_command("diff_framework", "bank", "1", "2")
    out = capsys.readouterr().out
    assert out.startswith("bank: version 1 -> version 2\nQuestions: 1 reworded; 5 unchanged.")
    assert "      Question: 'Question d0 0' -> 'Reworded question'" in out


def test_diff_framework_command_refuses_an_unknown_version(two_versions):
    with pytest.raises(CommandError, match="No framework 'bank' version 7"):
        call_command("diff_framework", "bank", "1", "7")


# The page ---------------------------------------------------------------------------


@pytest.fixture
def diff_client(client, two_versions):
    from .factories import UserFactory, login

    return login(client, UserFactory(username="differ", role="bank editor"))


def diff_url(query: str, slug: str = "bank") -> str:
    from django.urls import reverse

    return reverse("banks:diff", args=[slug]) + query


def test_diff_page_shows_counts_and_marks_the_changed_words(diff_client):
    response = diff_client.get(diff_url("?from=1&to=2"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "What changed in bank from version 1 to version 2" in content
    assert "Of 6 questions in either version:" in content  # the counts at the top
    assert '<span class="badge text-bg-primary fs-6">1</span> reworded' in content
    assert 'id="diff-dimension-d0"' in content and 'id="diff-dimension-d1"' not in content
    assert '<td class="diff-old"><del>Question d0 0</del>' in content
    assert '<td class="diff-new"><ins>Reworded question</ins>' in content
    assert "2 other questions unchanged." in content


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("", 400, "give both “from” and “to”"),
        ("?from=1", 400, "give both “from” and “to”"),
        ("?from=one&to=2", 400, "“one” is not a version number"),
        ("?from=1&to=-2", 400, "“-2” is not a version number"),
        ("?from=1&to=7", 404, "bank has no version 7"),
    ],
)
def test_diff_page_says_what_is_wrong_with_the_versions(diff_client, query, status, message):
    response = diff_client.get(diff_url(query))
    assert response.status_code == status
    assert message in response.content.decode()


def test_diff_of_an_unknown_bank_is_404(diff_client):
    response = diff_client.get(diff_url("?from=1&to=2", slug="nope"))
    assert response.status_code == 404
    assert "There is no question bank nope." in response.content.decode()
