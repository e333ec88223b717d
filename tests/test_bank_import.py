"""Question-bank YAML: validation with paths, nothing written on error, round trip."""

import copy
import re

import pytest
import yaml
from django.core.management import CommandError, call_command

from frameworks import models as fm
from frameworks.io import BankValidationError, dump_bank, framework_to_dict, parse_bank
from frameworks.selectors import default_bank
from frameworks.services import framework_import

from .factories import small_bank_data

BANK_MODELS = [
    fm.Framework, fm.Dimension, fm.Question, fm.Choice, fm.CooperationModel,
    fm.ModelProfile, fm.MaturityBand, fm.Recommendation,
]  # fmt: skip


def counts():
    return {m.__name__: m.objects.count() for m in BANK_MODELS}


def raw_default() -> dict:
    path, _data = default_bank(version=1)
    return yaml.safe_load(path.read_text())


def import_file(tmp_path, data, name="bank.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    call_command("import_framework", str(path))


def rejected(tmp_path, data) -> str:
    with pytest.raises(CommandError) as excinfo:
        import_file(tmp_path, data)
    return str(excinfo.value)


def test_default_bank_v1_passes_its_own_validation_and_has_the_required_shape():
    _path, data = default_bank(version=1)
    assert [d["code"] for d in data["dimensions"]] == [
        "intelligence", "legal", "interoperability", "trust",
    ]  # fmt: skip
    kinds = set()
    for dim in data["dimensions"]:
        assert len(dim["questions"]) >= 8
        assert len(dim["recommendations"]) >= 2
        for q in dim["questions"]:
            kinds.add(q["kind"])
            assert q["guidance"], q["code"]
    assert kinds == {"single", "likert", "yesno", "multi", "numeric", "text"}
    assert sorted(m["code"] for m in data["models"]) == ["bilateral", "informal", "multilateral"]
    assert len(data["maturity_bands"]) == 5


def test_load_default_is_idempotent(db):
    call_command("load_default")
    before = counts()
    call_command("load_default")
    assert counts() == before
    versions = fm.Framework.objects.order_by("version").values_list("version", "status")
    assert list(versions) == [(1, "published"), (2, "published")]


def test_export_import_export_is_byte_identical(db, tmp_path):
    # A draft, so that it can be deleted and the same slug and version imported again.
    source, data = default_bank()
    draft = framework_import(data=data, source=str(source))
    first = dump_bank(framework_to_dict(draft))
    draft.delete()
    path = tmp_path / "bank.yaml"
    path.write_text(first)
    call_command("import_framework", str(path))
    out = tmp_path / "again.yaml"
    call_command("export_framework", "ct-cooperation", "-o", str(out))
    assert out.read_text() == first


@pytest.mark.parametrize(
    ("mutate", "where", "reason"),
    [
        (lambda d: d.update(colour="red"), "colour", "unknown key"),
        (lambda d: d.pop("title"), "title", "is required"),
        (
            lambda d: d["dimensions"][1].update(code="intelligence"),
            "dimensions[1].code",
            "duplicate",
        ),
        (
            lambda d: d["dimensions"][2]["questions"][1].update(code="INT-01"),
            "dimensions[2].questions[1].code",
            "duplicate question code",
        ),
        (lambda d: d["dimensions"][0].update(name="  "), "dimensions[0].name", "must not be empty"),
        (lambda d: d["dimensions"][0].update(weight=0), "dimensions[0].weight", "greater than 0"),
        (
            lambda d: d["dimensions"][0]["questions"][1].update(weight=-1),
            "dimensions[0].questions[1].weight",
            "greater than 0",
        ),
        (
            lambda d: d["dimensions"][0]["questions"][0]["choices"][1].update(score=150),
            "dimensions[0].questions[0].choices[1].score",
            "between 0 and 100",
        ),
        (
            lambda d: d["dimensions"][0]["questions"][0].pop("choices"),
            "dimensions[0].questions[0].choices",
            "needs choices",
        ),
        (
            lambda d: d["models"][0]["profile"][0].update(target=120),
            "models[0].profile[0].target",
            "between 0 and 100",
        ),
        (
            lambda d: d["models"][1]["profile"][0].update(dimension="nope"),
            "models[1].profile[0].dimension",
            "unknown dimension",
        ),
        (lambda d: d["models"][0].update(code="alliance"), "models[0].code", "must be one of"),
        (lambda d: d["maturity_bands"][1].update(min=25), "maturity_bands[1].min", "no gaps"),
        (
            lambda d: d["dimensions"][0]["questions"][0].update(kind="essay"),
            "dimensions[0].questions[0].kind",
            "unknown kind",
        ),
        (lambda d: d.update(version="one"), "version", "whole number"),
        (lambda d: d.update(version=2**63), "version", "must be at most"),
        (
            lambda d: d["dimensions"][0].update(weight=float("nan")),
            "dimensions[0].weight",
            "must be a finite number",
        ),
        (
            lambda d: d["dimensions"][1]["questions"][0].update(weight=float("inf")),
            "dimensions[1].questions[0].weight",
            "must be a finite number",
        ),
    ],
)
def test_invalid_bank_is_rejected_whole_with_file_path_and_reason(
    db, tmp_path, mutate, where, reason
):
    data = raw_default()
    mutate(data)
    before = counts()
    message = rejected(tmp_path, data)
    assert f"bank.yaml: {where}: " in message
    assert reason in message
    assert counts() == before


def test_all_problems_are_listed_not_just_the_first(db, tmp_path):
    data = raw_default()
    data["dimensions"][0]["weight"] = -2
    data["dimensions"][3]["questions"][0]["weight"] = 0
    data["models"][2]["profile"][3]["target"] = -1
    message = rejected(tmp_path, data)
    assert "rejected, 3 problems" in message
    assert "dimensions[0].weight" in message
    assert "dimensions[3].questions[0].weight" in message
    assert "models[2].profile[3].target" in message


def test_existing_published_version_is_refused_and_left_untouched(db, tmp_path, bank):
    before = counts()
    data = raw_default()
    data["title"] = "Changed"
    message = rejected(tmp_path, data)
    assert "version: ct-cooperation version 1 is already published" in message
    assert counts() == before
    assert fm.Framework.objects.get(pk=bank.pk).title != "Changed"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "binary file"),
        (b"\xff\xfe\xfa not utf8", "not UTF-8"),
        (b"slug: [unclosed", "not valid YAML"),
        (b"- just\n- a list\n", "must be a mapping"),
        (b"slug: a\nslug: b\n", "duplicate key"),
    ],
)
def test_non_yaml_input_gives_a_clear_error_not_a_traceback(db, tmp_path, content, reason):
    path = tmp_path / "broken.yaml"
    path.write_bytes(content)
    with pytest.raises(CommandError) as excinfo:
        call_command("import_framework", str(path))
    assert "broken.yaml" in str(excinfo.value)
    assert reason in str(excinfo.value)
    assert fm.Framework.objects.count() == 0


def test_import_publish_flag_and_draft_replacement(db):
    data = small_bank_data()
    draft = framework_import(data=copy.deepcopy(data), source="x")
    assert draft.status == "draft"
    data["title"] = "Replaced"
    again = framework_import(data=data, source="x", publish=True)
    assert fm.Framework.objects.filter(slug="small").count() == 1
    assert again.title == "Replaced"
    assert again.status == "published"


def test_likert_and_yesno_get_their_fixed_choices_when_left_out():
    data = parse_bank(dump_bank(small_bank_data()), source="s")
    likert = data["dimensions"][0]["questions"][0]
    assert [c["score"] for c in likert["choices"]] == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_bank_validation_error_lists_lines():
    with pytest.raises(BankValidationError) as excinfo:
        parse_bank("slug: x\n", source="f.yaml")
    assert "f.yaml: version: is required" in excinfo.value.as_lines()


def test_export_unknown_slug_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No framework 'nope'"):
        call_command("export_framework", "nope")


# --- methodology v2 keys: red lines, conditions, context questions, references ----

V2_MODELS = [fm.RedLine, fm.ModelCondition]


def v2_data() -> dict:
    from .factories import safeguard_bank_data

    data = copy.deepcopy(safeguard_bank_data())
    data["ready_at"] = 85
    question = data["dimensions"][0]["questions"][1]
    question["references"] = ['Essay: "timely and accurate intelligence"', "Decision 2006/960/JHA"]
    data["dimensions"][1]["questions"].append(
        {"code": "d1-ctx", "text": "Years of cooperation?", "kind": "numeric", "min": 0,
         "max": 50, "scored": False}
    )  # fmt: skip
    return data


def test_v2_keys_round_trip_byte_identically(db, tmp_path):
    framework = framework_import(data=parse_bank(dump_bank(v2_data()), source="v2"), source="v2")
    first = dump_bank(framework_to_dict(framework))
    assert "ready_at: 85.0" in first
    assert "red_lines:\n- question: d0-000\n  below: 0.5\n  cap: 30.0" in first
    assert "conditions:\n  - question: d1-000\n    at_least: 0.75" in first
    assert "scored: false" in first and "Decision 2006/960/JHA" in first
    path = tmp_path / "export.yaml"
    path.write_text(first)
    data = parse_bank(path.read_bytes(), source="export.yaml")
    data["version"] = 2
    second = dump_bank(framework_to_dict(framework_import(data=data, source="again")))
    assert second == first.replace("version: 1", "version: 2")
    assert fm.RedLine.objects.count() == 2 and fm.ModelCondition.objects.count() == 4


def test_banks_without_the_new_keys_get_their_defaults():
    data = parse_bank(dump_bank(small_bank_data()), source="v1-shaped")
    assert data["ready_at"] == 90.0 and data["red_lines"] == []
    assert all(m["conditions"] == [] for m in data["models"])
    question = data["dimensions"][0]["questions"][0]
    assert question["scored"] is True and question["references"] == []


def broken_v2(change) -> dict:
    data = v2_data()
    change(data)
    return data


V2_BROKEN = [
    ("red line on an unknown question",
     lambda d: d["red_lines"][0].update(question="NOPE"),
     "red_lines[0].question: unknown question 'NOPE'"),
    ("red line on a context question",
     lambda d: d["red_lines"][0].update(question="d1-ctx"),
     "red_lines[0].question: question 'd1-ctx' is not scored"),
    ("red line on a question that allows N/A",
     lambda d: d["dimensions"][0]["questions"][0].update(allow_na=True),
     "red_lines[0].question: question 'd0-000' allows N/A"),
    ("red line threshold of 0",
     lambda d: d["red_lines"][0].update(below=0),
     "red_lines[0].below: must be above 0 and at most 1 (a question score), got 0"),
    ("red line threshold above 1",
     lambda d: d["red_lines"][0].update(below=50),
     "red_lines[0].below: must be above 0 and at most 1 (a question score), got 50"),
    ("cap above 100",
     lambda d: d["red_lines"][0].update(cap=120),
     "red_lines[0].cap: must be between 0 and 100, got 120"),
    ("condition on an unknown question",
     lambda d: d["models"][0]["conditions"][0].update(question="X-1"),
     "models[0].conditions[0].question: unknown question 'X-1'"),
    ("condition threshold above 1",
     lambda d: d["models"][0]["conditions"][0].update(at_least=1.5),
     "models[0].conditions[0].at_least: must be above 0 and at most 1"),
    ("condition without why",
     lambda d: d["models"][0]["conditions"][0].pop("why"),
     "models[0].conditions[0].why: is required"),
    ("ready_at above 100",
     lambda d: d.update(ready_at=101),
     "ready_at: must be between 0 and 100, got 101"),
    ("a reference that is not text",
     lambda d: d["dimensions"][0]["questions"][1]["references"].append(7),
     "dimensions[0].questions[1].references[2]: must be text, got int"),
    ("two choices with one label",
     lambda d: d["dimensions"][0]["questions"][1].update(
         choices=[{"label": "Same", "score": 0}, {"label": "Same", "score": 1}]),
     "dimensions[0].questions[1].choices[1].label: duplicate choice label 'Same'"),
]  # fmt: skip


@pytest.mark.parametrize("case", V2_BROKEN, ids=[c[0] for c in V2_BROKEN])
def test_invalid_v2_keys_are_rejected_whole_with_path_and_reason(db, tmp_path, case):
    _label, change, expected = case
    before = {m.__name__: m.objects.count() for m in BANK_MODELS + V2_MODELS}
    message = rejected(tmp_path, broken_v2(change))
    assert f"bank.yaml: {expected}" in message
    assert {m.__name__: m.objects.count() for m in BANK_MODELS + V2_MODELS} == before


# Every text the models store with a maximum length, by where it sits in a bank file.
# The limits are read from the models, as the validator reads them.
LIMITED = [
    ("slug", fm.Framework, "slug"),
    ("title", fm.Framework, "title"),
    ("dimensions[1].code", fm.Dimension, "code"),
    ("dimensions[1].name", fm.Dimension, "name"),
    ("dimensions[1].questions[2].code", fm.Question, "code"),
    ("dimensions[1].questions[2].kind", fm.Question, "kind"),
    ("dimensions[1].questions[0].choices[1].label", fm.Choice, "label"),
    ("dimensions[0].questions[3].unit", fm.Question, "unit"),  # INT-04, a numeric question
    ("models[2].code", fm.CooperationModel, "code"),
    ("models[2].name", fm.CooperationModel, "name"),
    ("maturity_bands[3].label", fm.MaturityBand, "label"),
]


def max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


def set_at(data: dict, path: str, value) -> None:
    *parents, last = re.findall(r"\w+|\[\d+\]", path)
    for part in parents:
        data = data[int(part[1:-1])] if part.startswith("[") else data[part]
    data[last] = value


def text_of_length(length: int) -> str:
    return "x" * length  # a valid slug and code too


def test_the_limited_texts_are_every_text_limit_of_the_bank_models():
    limited = {(model, field) for _path, model, field in LIMITED}
    for model in BANK_MODELS:
        for field in model._meta.concrete_fields:
            if field.max_length and not field.is_relation and field.name != "status":
                assert (model, field.name) in limited, f"{model.__name__}.{field.name}"


@pytest.mark.parametrize(("path", "model", "field"), LIMITED, ids=[p for p, _m, _f in LIMITED])
def test_over_long_text_is_rejected_with_its_path(db, tmp_path, path, model, field):
    data = raw_default()
    assert data["dimensions"][0]["questions"][3]["kind"] == "numeric"
    limit = max_length(model, field)
    set_at(data, path, text_of_length(limit + 1))
    message = rejected(tmp_path, data)
    assert f"bank.yaml: {path}: must be at most {limit} characters, got {limit + 1}" in message
    assert counts() == dict.fromkeys(counts(), 0)


def test_every_over_long_text_gets_its_own_line_and_nothing_is_written(db, tmp_path):
    data = raw_default()
    for path, model, field in LIMITED:
        set_at(data, path, text_of_length(max_length(model, field) + 1))
    lines = rejected(tmp_path, data).splitlines()
    for path, model, field in LIMITED:
        limit = max_length(model, field)
        expected = f"bank.yaml: {path}: must be at most {limit} characters, got {limit + 1}"
        assert sum(line.endswith(expected) for line in lines) == 1, expected
    assert counts() == dict.fromkeys(counts(), 0)


def test_texts_at_their_longest_are_imported_whole(db, tmp_path):
    data = raw_default()
    enumerated = {"kind", "code"}  # question kinds and model codes come from a fixed list
    for path, model, field in LIMITED:
        if field in enumerated and model in (fm.Question, fm.CooperationModel):
            continue
        set_at(data, path, text_of_length(max_length(model, field)))
    for model in data["models"]:  # follow the renamed dimension
        for target in model["profile"]:
            if target["dimension"] == "legal":
                target["dimension"] = data["dimensions"][1]["code"]
    import_file(tmp_path, data)
    framework = fm.Framework.objects.get()
    assert len(framework.title) == max_length(fm.Framework, "title")
    assert len(framework.maturity_bands.get(min_score=60).label) == max_length(
        fm.MaturityBand, "label"
    )
    assert len(fm.Choice.objects.order_by("-label").first().label) == max_length(fm.Choice, "label")
