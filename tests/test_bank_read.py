"""Reading a stored bank: one query, the same dict as the YAML import gives."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from frameworks.io import framework_to_dict, validate_bank
from frameworks.samples import likert_bank
from frameworks.selectors import default_bank
from frameworks.services import framework_import


def test_a_stored_bank_is_read_in_one_query_whatever_its_size(db):
    counts = []
    for n in (2, 30):
        framework = framework_import(
            data=likert_bank(slug=f"b{n}", questions_per_dimension=n), source="t"
        )
        with CaptureQueriesContext(connection) as ctx:
            framework_to_dict(framework, with_ids=True)
        counts.append(len(ctx.captured_queries))
    assert counts == [1, 1]


def test_stored_default_bank_reads_back_as_its_file_says(db):
    for version in (1, 2):
        path, data = default_bank(version=version)
        framework = framework_import(data=data, source=str(path))
        assert validate_bank(framework_to_dict(framework), source="db") == data


def test_with_ids_every_part_carries_its_database_id(db):
    path, data = default_bank(version=2)
    framework = framework_import(data=data, source=str(path))
    read = framework_to_dict(framework, with_ids=True)
    dimension = read["dimensions"][0]
    question = dimension["questions"][0]
    model = read["models"][0]
    assert dimension["id"] == framework.dimensions.get(code=dimension["code"]).pk
    assert question["id"] == framework.questions.get(code=question["code"]).pk
    assert [c["id"] for c in question["choices"]] == list(
        framework.questions.get(code=question["code"]).choices.values_list("pk", flat=True)
    )
    assert all("id" in entry for entry in model["profile"] + model["conditions"])
    assert all("id" in entry for entry in read["red_lines"] + read["maturity_bands"])
    assert all("id" in rec for d in read["dimensions"] for rec in d["recommendations"])
