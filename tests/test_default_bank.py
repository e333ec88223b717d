"""Content rules for the default question bank, version 2, read straight from its YAML.

The app's validator checks the format; these tests check what a reviewer of the bank would:
every scored question cites a source, agree/disagree scales are kept for perceptions, no two
questions are near-copies, red lines and model conditions point at real scored questions, and
every model has a target and a rationale for every dimension. No database is needed.
"""

import itertools
import re
from pathlib import Path

import pytest
import yaml

from assessment.answers import AnswerValue
from assessment.scoring import bank_from_dict, score_assessment
from frameworks.io import parse_bank

DATA = Path(__file__).resolve().parent.parent / "frameworks" / "data"
V1_PATH = DATA / "ct-cooperation-v1.yaml"
V2_PATH = DATA / "ct-cooperation-v2.yaml"

# Jaccard similarity of two questions' content-word sets above which they count as near-copies.
# Calibrated on version 2: its most similar pair (LEG-06, the IHL question, and LEG-15, the
# armed-conflict context question it depends on) scores 0.38; a reworded copy of a question
# scores well above the limit (0.83 in test_overlap_detector_flags_a_reworded_copy).
SIMILARITY_LIMIT = 0.5

STOP_WORDS = frozenset(
    """
    a about all also among an and any are as at be been between by can could did do does each
    every for from had has have how in into is it its last may might month months more most no
    nor not of on one only or other others our own per same shall should some such than that
    the their there these they this those to two was we were what when where whether which who
    whom why will with would year years you your
    """.split()
)
# Words nearly every question of this bank uses; they say nothing about what a question asks.
DOMAIN_WORDS = frozenset("counterterrorism ct member members partner partners partnership".split())


# A choice label that asks for agreement ("Agree", "Strongly disagree"), not "an agreed time".
AGREE_SCALE = re.compile(r"\b(dis)?agree\b", re.IGNORECASE)


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def bank() -> dict:
    return load(V2_PATH)


def all_questions(bank: dict) -> list[dict]:
    return [q for dim in bank["dimensions"] for q in dim["questions"]]


def is_scored(question: dict) -> bool:
    return question["kind"] != "text" and question.get("scored", True) is not False


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {_stem(w) for w in words if w not in STOP_WORDS and w not in DOMAIN_WORDS}


def similarity(a: str, b: str) -> float:
    wa, wb = content_words(a), content_words(b)
    return len(wa & wb) / len(wa | wb) if wa | wb else 0.0


def near_copies(questions: list[dict], limit: float = SIMILARITY_LIMIT) -> list[str]:
    return [
        f"{x['code']} / {y['code']}: similarity {similarity(x['text'], y['text']):.2f}"
        for x, y in itertools.combinations(questions, 2)
        if similarity(x["text"], y["text"]) > limit
    ]


def anchor_problems(bank: dict) -> list[str]:
    """Red lines and model conditions must point at an existing, scored question without N/A."""
    by_code = {q["code"]: q for q in all_questions(bank)}
    anchors = [(f"red line on {r['question']}", r["question"]) for r in bank.get("red_lines", [])]
    for model in bank["models"]:
        for cond in model.get("conditions", []):
            anchors.append((f"{model['code']} condition on {cond['question']}", cond["question"]))
    problems = []
    for where, code in anchors:
        question = by_code.get(code)
        if question is None:
            problems.append(f"{where}: no such question")
        elif question.get("scored", True) is False:
            problems.append(f"{where}: a context question (scored: false)")
        elif not is_scored(question):
            problems.append(f"{where}: a {question['kind']} question is never scored")
        elif question.get("allow_na", False):
            problems.append(f"{where}: the question allows N/A")
    return problems


def test_file_is_version_2_of_the_default_bank(bank):
    assert (bank["slug"], bank["version"]) == ("ct-cooperation", 2)
    assert 0 <= bank["ready_at"] <= 100


def test_dimensions_and_models_keep_the_codes_of_version_1(bank):
    v1 = load(V1_PATH)
    assert [d["code"] for d in bank["dimensions"]] == [d["code"] for d in v1["dimensions"]]
    assert [d["name"] for d in bank["dimensions"]] == [d["name"] for d in v1["dimensions"]]
    assert [m["code"] for m in bank["models"]] == [m["code"] for m in v1["models"]]


def test_question_codes_are_unique(bank):
    codes = [q["code"] for q in all_questions(bank)]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    assert repeated == []


def test_every_scored_question_cites_a_source(bank):
    missing = [
        q["code"]
        for q in all_questions(bank)
        if is_scored(q)
        and not [r for r in q.get("references") or [] if isinstance(r, str) and r.strip()]
    ]
    assert missing == []


def test_references_start_with_the_essay_concept(bank):
    wrong = [
        q["code"]
        for q in all_questions(bank)
        if q.get("references") and not q["references"][0].startswith("Essay")
    ]
    assert wrong == []


def test_agree_disagree_scales_are_kept_for_perceptions(bank):
    offenders = [
        q["code"]
        for q in all_questions(bank)
        if (
            q["kind"] == "likert"
            or any(AGREE_SCALE.search(c["label"]) for c in q.get("choices") or [])
        )
        and not q["text"].startswith("Perception:")
    ]
    assert offenders == []


def test_no_two_questions_share_most_of_their_words(bank):
    assert near_copies(all_questions(bank)) == []


def test_overlap_detector_flags_a_reworded_copy():
    pair = [
        {"code": "A", "text": "How do receiving members give feedback on intelligence products?"},
        {
            "code": "B",
            "text": "How do members that received intelligence products give feedback to the "
            "originator?",
        },
    ]
    assert similarity(pair[0]["text"], pair[1]["text"]) >= 0.6
    assert near_copies(pair) == ["A / B: similarity 0.83"]


def test_overlap_detector_lets_distinct_questions_pass():
    pair = [
        {"code": "A", "text": "How do receiving members give feedback on intelligence products?"},
        {"code": "B", "text": "What working language do the members use in combined activity?"},
    ]
    assert near_copies(pair) == []


def test_red_lines_and_conditions_rest_on_scored_questions_without_na(bank):
    assert anchor_problems(bank) == []


def test_anchor_check_catches_missing_unscored_and_na_questions():
    broken = {
        "dimensions": [
            {
                "questions": [
                    {"code": "CTX", "kind": "numeric", "scored": False},
                    {"code": "NA", "kind": "single", "allow_na": True},
                    {"code": "TXT", "kind": "text"},
                ]
            }
        ],
        "red_lines": [{"question": "GONE"}, {"question": "NA"}],
        "models": [{"code": "informal", "conditions": [{"question": "CTX"}, {"question": "TXT"}]}],
    }
    assert anchor_problems(broken) == [
        "red line on GONE: no such question",
        "red line on NA: the question allows N/A",
        "informal condition on CTX: a context question (scored: false)",
        "informal condition on TXT: a text question is never scored",
    ]


def test_context_questions_feed_no_red_line_or_condition(bank):
    context = {q["code"] for q in all_questions(bank) if q.get("scored", True) is False}
    used = {r["question"] for r in bank["red_lines"]} | {
        c["question"] for m in bank["models"] for c in m.get("conditions", [])
    }
    assert context, "the bank should describe the partnership with context questions"
    assert sorted(context & used) == []


def test_red_lines_and_conditions_have_thresholds_in_range_and_a_reason(bank):
    problems = []
    for rl in bank["red_lines"]:
        if not (0 < rl["below"] <= 1 and 0 <= rl["cap"] <= 100 and rl["reason"].strip()):
            problems.append(f"red line on {rl['question']}")
    for model in bank["models"]:
        for cond in model.get("conditions", []):
            if not (0 < cond["at_least"] <= 1 and cond["why"].strip()):
                problems.append(f"{model['code']} condition on {cond['question']}")
    assert problems == []


def test_every_model_has_a_target_and_rationale_for_every_dimension(bank):
    dimensions = [d["code"] for d in bank["dimensions"]]
    gaps = []
    for model in bank["models"]:
        profile = {p["dimension"]: p for p in model["profile"]}
        for code in dimensions:
            entry = profile.get(code)
            if entry is None or not 0 <= entry.get("target", -1) <= 100:
                gaps.append(f"{model['code']}/{code}: target")
            elif not str(entry.get("rationale") or "").strip():
                gaps.append(f"{model['code']}/{code}: rationale")
    assert gaps == []


# --- the profiles behave under the real scoring (methodology v2) -------------------


def scored_bank():
    return bank_from_dict(parse_bank(V2_PATH.read_bytes(), source=V2_PATH.name))


def level(question, top: bool):
    if question.kind == "multi":
        best = [c for c in question.choices if c.score > 0]
        return AnswerValue(frozenset(c.id for c in best) if top else frozenset())
    if question.has_choices:
        ranked = sorted(question.choices, key=lambda c: c.score)
        return AnswerValue(frozenset([(ranked[-1] if top else ranked[0]).id]))
    if question.kind == "numeric":
        return AnswerValue(number=question.max_value if top else question.min_value)
    return AnswerValue(text="Context.")


def test_lowest_answers_support_no_model_and_cross_every_red_line():
    bank = scored_bank()
    result = score_assessment(bank, {q.id: level(q, top=False) for q in bank.questions})
    assert result.supported_models == ()
    assert all(r.triggered for r in result.red_lines)
    assert all(c.status == "unmet" for m in result.models for c in m.conditions)


def test_highest_answers_put_every_model_within_reach():
    bank = scored_bank()
    result = score_assessment(bank, {q.id: level(q, top=True) for q in bank.questions})
    assert [m.readiness for m in result.models] == [100.0, 100.0, 100.0]
    assert set(result.supported_models) == {"bilateral", "multilateral", "informal"}


@pytest.mark.parametrize("model_code", ["bilateral", "multilateral", "informal"])
def test_meeting_a_models_conditions_and_targets_puts_it_within_reach(model_code):
    """From the lowest answers, meet the model's conditions and safeguards, then raise
    questions in bank order only until each dimension reaches its target."""
    bank = scored_bank()
    model = bank.model(model_code)
    answers = {q.id: level(q, top=False) for q in bank.questions}
    musts = {c.question for c in model.conditions} | {r.question for r in bank.red_lines}
    for code in musts:
        question = bank.question_by_code[code]
        answers[question.id] = level(question, top=True)
    for dim in bank.dimensions:
        for question in dim.questions:
            if score_assessment(bank, answers).dimension(dim.code).score >= model.targets[dim.code]:
                break
            answers[question.id] = level(question, top=True)
    result = score_assessment(bank, answers).model(model_code)
    assert result.within_reach, (result.readiness, result.conditions)
