import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.models import Item
from tests.conftest import manage
from tests.factories import make_item, write_jsonl, write_lines

FULL_ROW = {
    "external_id": "bk-1",
    "title": "The Quiet Orbit",
    "description": "A signal from a silent moon.",
    "categories": ["Science fiction"],
    "tags": ["first contact", "slow burn"],
    "year": 2011,
    "metadata": {"author": "Zoë Ångström", "pages": 312},
}


def import_catalog(path):
    call_command("import_catalog", str(path))


@pytest.mark.django_db
class TestImportCatalog:
    def test_imports_every_field(self, tmp_path):
        import_catalog(
            write_jsonl(
                tmp_path / "items.jsonl",
                [FULL_ROW, {"external_id": "bk-2", "title": "Only a title"}],
            )
        )

        item = Item.objects.get(external_id="bk-1")
        assert item.title == "The Quiet Orbit"
        assert item.description == "A signal from a silent moon."
        assert item.categories == ["Science fiction"]
        assert item.tags == ["first contact", "slow burn"]
        assert item.year == 2011
        assert item.metadata == {"author": "Zoë Ångström", "pages": 312}
        assert item.is_active
        bare = Item.objects.get(external_id="bk-2")
        assert (bare.description, bare.categories, bare.year) == ("", [], None)

    def test_reads_gzipped_files(self, tmp_path):
        import_catalog(write_jsonl(tmp_path / "items.jsonl.gz", [FULL_ROW], compress=True))
        assert Item.objects.get(external_id="bk-1").title == "The Quiet Orbit"

    def test_reports_counts(self, tmp_path, capsys):
        make_item(external_id="bk-1")
        path = write_jsonl(
            tmp_path / "items.jsonl", [FULL_ROW, {"external_id": "bk-9", "title": "New"}]
        )
        import_catalog(path)
        assert "1 items created, 1 updated" in capsys.readouterr().out

    def test_normalises_whitespace_and_duplicate_labels(self, tmp_path):
        row = {
            "external_id": " bk-3 ",
            "title": "  Spaced  ",
            "tags": ["cozy ", " cozy", "two  words"],
        }
        import_catalog(write_jsonl(tmp_path / "items.jsonl", [row]))
        item = Item.objects.get(external_id="bk-3")
        assert item.title == "Spaced"
        assert item.tags == ["cozy", "two words"]


@pytest.mark.django_db
class TestUpsert:
    def test_reimport_updates_in_place(self, tmp_path):
        import_catalog(write_jsonl(tmp_path / "a.jsonl", [FULL_ROW]))
        first = Item.objects.get(external_id="bk-1")

        changed = {**FULL_ROW, "title": "The Quiet Orbit (revised)", "tags": ["space opera"]}
        import_catalog(write_jsonl(tmp_path / "b.jsonl", [changed]))

        assert Item.objects.count() == 1
        item = Item.objects.get(external_id="bk-1")
        assert item.pk == first.pk
        assert item.title == "The Quiet Orbit (revised)"
        assert item.tags == ["space opera"]
        assert item.created_at == first.created_at
        assert item.updated_at > first.updated_at

    def test_fields_missing_from_the_row_are_kept(self, tmp_path):
        import_catalog(write_jsonl(tmp_path / "a.jsonl", [FULL_ROW]))
        import_catalog(
            write_jsonl(tmp_path / "b.jsonl", [{"external_id": "bk-1", "title": "Renamed"}])
        )
        item = Item.objects.get(external_id="bk-1")
        assert item.title == "Renamed"
        assert item.description == FULL_ROW["description"]
        assert item.categories == FULL_ROW["categories"]
        assert item.metadata == FULL_ROW["metadata"]

    def test_engine_fields_survive_a_reimport(self, tmp_path):
        item = make_item(
            external_id="bk-1", popularity=7, embedding=[0.1] * 384, embedding_model="m"
        )
        import_catalog(write_jsonl(tmp_path / "a.jsonl", [FULL_ROW]))
        item.refresh_from_db()
        assert item.popularity == 7
        assert item.embedding_model == "m"
        assert item.embedding is not None


BAD_ROWS = [
    pytest.param("{not json", None, "not valid JSON", id="invalid-json"),
    pytest.param('["a list"]', None, "expected a JSON object", id="not-an-object"),
    pytest.param('{"external_id": "x"}', "title", "is required", id="missing-title"),
    pytest.param('{"title": "No id"}', "external_id", "is required", id="missing-id"),
    pytest.param(
        '{"external_id": "x", "title": "  "}', "title", "must not be empty", id="blank-title"
    ),
    pytest.param(
        '{"external_id": "x", "title": "T", "titel": "typo"}',
        "titel",
        "unknown field",
        id="unknown-field",
    ),
    pytest.param(
        '{"external_id": "x", "title": "T", "categories": "Horror"}',
        "categories",
        "list of strings",
        id="categories-not-list",
    ),
    pytest.param(
        '{"external_id": "x", "title": "T", "tags": [1]}',
        "tags",
        "list of strings",
        id="tag-not-string",
    ),
    pytest.param(
        '{"external_id": "x", "title": "T", "year": "nineteen"}',
        "year",
        "whole year",
        id="year-not-number",
    ),
    pytest.param(
        '{"external_id": "x", "title": "T", "year": 99999}',
        "year",
        "outside",
        id="year-out-of-range",
    ),
    pytest.param(
        '{"external_id": "x", "title": "T", "metadata": [1]}',
        "metadata",
        "JSON object",
        id="metadata-not-object",
    ),
    pytest.param(
        '{"external_id": "x", "title": "T", "is_active": "yes"}',
        "is_active",
        "true or false",
        id="active-not-bool",
    ),
    pytest.param(
        '{"external_id": "bk-1", "title": "Again"}',
        "external_id",
        "already appears on line 1",
        id="duplicate-id",
    ),
    pytest.param(
        '{"external_id": "x", "title": "' + "t" * 501 + '"}',
        "title",
        "longer than 500",
        id="title-too-long",
    ),
]


@pytest.mark.django_db
class TestBadInput:
    @pytest.mark.parametrize(("bad_line", "field", "problem"), BAD_ROWS)
    def test_bad_line_aborts_the_whole_file(self, tmp_path, bad_line, field, problem):
        existing = make_item(external_id="keep-me", title="Untouched")
        path = write_lines(
            tmp_path / "items.jsonl",
            [
                '{"external_id": "bk-1", "title": "Fine"}',
                bad_line,
                '{"external_id": "bk-3", "title": "Also fine"}',
            ],
        )
        with pytest.raises(CommandError) as error:
            import_catalog(path)

        message = str(error.value)
        assert message.startswith(f"{path}, line 2")
        if field:
            assert f"field '{field}'" in message
        assert problem in message
        assert "\n" not in message
        assert list(Item.objects.values_list("external_id", "title")) == [
            (existing.external_id, "Untouched")
        ]

    def test_invalid_utf8_names_its_line(self, tmp_path):
        path = tmp_path / "items.jsonl"
        path.write_bytes(
            b'{"external_id": "a", "title": "ok"}\n{"external_id": "b", "title": "\xff"}\n'
        )
        with pytest.raises(CommandError, match=r"line 2: not valid utf-8"):
            import_catalog(path)
        assert not Item.objects.exists()

    def test_missing_file(self, tmp_path):
        with pytest.raises(CommandError, match="no such file"):
            import_catalog(tmp_path / "nope.jsonl")

    def test_empty_file(self, tmp_path):
        with pytest.raises(CommandError, match="contains no items"):
            import_catalog(write_lines(tmp_path / "items.jsonl", ["", "  "]))

    def test_not_gzip_despite_the_name(self, tmp_path):
        path = tmp_path / "items.jsonl.gz"
        path.write_text('{"external_id": "a", "title": "plain"}\n')
        with pytest.raises(CommandError, match="items.jsonl.gz"):
            import_catalog(path)


@pytest.mark.django_db(transaction=True)
def test_command_line_error_is_one_line_and_exits_nonzero(tmp_path):
    path = write_lines(
        tmp_path / "items.jsonl",
        [
            '{"external_id": "a", "title": "Fine"}',
            '{"external_id": "b", "title": "T", "year": "soon"}',
        ],
    )
    result = manage("import_catalog", str(path))
    assert result.returncode != 0
    error_lines = [line for line in result.stderr.splitlines() if "Error" in line]
    assert error_lines == [
        f"CommandError: {path}, line 2, field 'year': "
        'expected a whole year such as 1999, got "soon"'
    ]
    assert not Item.objects.exists()
