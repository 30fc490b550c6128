import gzip
import json
import os
import subprocess
import sys
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.models import Item
from tests.conftest import PROJECT_DIR, manage, project_env
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


@pytest.mark.django_db
class TestLimits:
    """Bounds no real catalog reaches; each error names its setting, the file and the line."""

    def test_a_line_past_the_limit_is_refused_by_number_without_reading_it_whole(
        self, tmp_path, settings
    ):
        settings.CATALOG_IMPORT_MAX_LINE_BYTES = 200
        fine = '{"external_id": "a", "title": "' + "t" * 150 + '"}'
        path = write_lines(tmp_path / "items.jsonl", [fine, fine.replace('"a"', '"b"') + " " * 60])
        with pytest.raises(CommandError) as error:
            import_catalog(path)
        assert str(error.value) == (
            f"{path}, line 2: the line is longer than 200 bytes (CATALOG_IMPORT_MAX_LINE_BYTES)"
        )
        assert not Item.objects.exists()

    def test_a_file_that_unpacks_past_the_limit_is_refused_at_the_line_that_passes_it(
        self, tmp_path, settings
    ):
        settings.CATALOG_IMPORT_MAX_UNPACKED_BYTES = 1000
        rows = [{"external_id": f"bk-{n}", "title": f"Book {n:03d}"} for n in range(40)]
        path = write_jsonl(tmp_path / "items.jsonl.gz", rows, compress=True)
        with pytest.raises(CommandError) as error:
            import_catalog(path)
        # Each line is 46 bytes: the 22nd takes the file past 1,000.
        assert str(error.value) == (
            f"{path}, line 22: the file unpacks to more than 1,000 bytes "
            "(CATALOG_IMPORT_MAX_UNPACKED_BYTES)"
        )
        assert not Item.objects.exists()

    def test_too_many_tags_are_refused_before_any_is_looked_at(self, tmp_path):
        tags = [f"tag {n}" for n in range(60_000)]
        path = write_jsonl(tmp_path / "items.jsonl", [{**FULL_ROW, "tags": tags}])
        with pytest.raises(CommandError) as error:
            import_catalog(path)
        assert str(error.value) == (
            f"{path}, line 1, field 'tags': 60,000 entries, more than 200 entries "
            "(CATALOG_IMPORT_MAX_LABELS)"
        )

    def test_up_to_the_limit_tags_are_kept_in_order_without_repeats(self, tmp_path):
        tags = [f"tag {n % 150}" for n in range(200)]
        import_catalog(write_jsonl(tmp_path / "items.jsonl", [{**FULL_ROW, "tags": tags}]))
        assert Item.objects.get().tags == [f"tag {n}" for n in range(150)]

    def test_metadata_past_the_limit_is_refused_by_its_size_as_json(self, tmp_path):
        metadata = {"notes": "é" * 40_000}  # 80,000 bytes of UTF-8, 40,000 characters
        path = write_jsonl(tmp_path / "items.jsonl", [{**FULL_ROW, "metadata": metadata}])
        with pytest.raises(CommandError) as error:
            import_catalog(path)
        assert str(error.value) == (
            f"{path}, line 1, field 'metadata': 80,012 bytes as JSON, more than 65,536 bytes "
            "(CATALOG_IMPORT_MAX_METADATA_BYTES)"
        )
        assert not Item.objects.exists()

    def test_a_bad_line_after_several_written_batches_still_leaves_nothing(
        self, tmp_path, monkeypatch
    ):
        from catalog import services

        # Rows are written a batch at a time as they are read; three batches
        # go to the database before line 7 is found wrong.
        monkeypatch.setattr(services, "WRITE_BATCH", 2)
        existing = make_item(external_id="bk-0", title="Untouched")
        rows = [{"external_id": f"bk-{n}", "title": f"New {n}"} for n in range(6)]
        path = write_lines(
            tmp_path / "items.jsonl",
            [*(json.dumps(row) for row in rows), '{"external_id": "bk-9", "title": ""}'],
        )
        with pytest.raises(CommandError, match=r"line 7, field 'title': must not be empty"):
            import_catalog(path)
        assert list(Item.objects.values_list("external_id", "title")) == [
            (existing.external_id, "Untouched")
        ]


@pytest.mark.django_db
class TestLargeFiles:
    """Files of several write batches: streamed, still all or nothing."""

    LINES = 2_500  # three batches of services.WRITE_BATCH (1,000)

    def rows(self):
        return [
            json.dumps(
                {
                    "external_id": f"big-{n}",
                    "title": f"Title {n}",
                    "categories": ["Mystery" if n % 2 else "History"],
                    "tags": [f"t{n % 7}"],
                    "year": 1900 + n % 100,
                    "metadata": {"n": n, "name": "Zoë"},
                }
            )
            for n in range(self.LINES)
        ]

    def test_every_line_is_written_with_its_fields(self, tmp_path):
        import_catalog(write_lines(tmp_path / "items.jsonl", self.rows()))
        assert Item.objects.count() == self.LINES
        last = Item.objects.get(external_id=f"big-{self.LINES - 1}")
        assert (last.categories, last.tags, last.year, last.metadata) == (
            ["Mystery"],
            ["t0"],
            1999,
            {"n": self.LINES - 1, "name": "Zoë"},
        )
        assert (last.popularity, last.embedding_model, last.embedding) == (0, "", None)

    def test_an_error_on_the_last_line_leaves_nothing_and_names_the_line(self, tmp_path):
        existing = make_item(external_id="big-5", title="Untouched")
        lines = [*self.rows(), '{"external_id": "big-x", "title": "Fine", "year": "soon"}']
        with pytest.raises(CommandError, match=rf"line {self.LINES + 1}, field 'year'"):
            import_catalog(write_lines(tmp_path / "items.jsonl", lines))
        assert list(Item.objects.values_list("external_id", "title")) == [
            (existing.external_id, "Untouched")
        ]

    def test_an_id_repeated_batches_later_is_refused_by_both_lines(self, tmp_path):
        lines = [*self.rows(), json.dumps({"external_id": "big-3", "title": "Again"})]
        with pytest.raises(
            CommandError,
            match=rf"line {self.LINES + 1}, field 'external_id': 'big-3' already "
            r"appears on line 4",
        ):
            import_catalog(write_lines(tmp_path / "items.jsonl", lines))
        assert not Item.objects.exists()


def measured_import(path) -> tuple[str, int]:
    """``manage.py import_catalog path`` in a child process: (stderr, peak RSS in MiB).

    wait4 reads the peak of that one child, not of every process this test
    run ever waited for.
    """
    child = subprocess.Popen(
        [sys.executable, "manage.py", "import_catalog", str(path)],
        cwd=PROJECT_DIR,
        env=project_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = threading.Timer(120, child.kill)
    deadline.start()
    try:
        with child.stderr:
            stderr = child.stderr.read()
        _, status, usage = os.wait4(child.pid, 0)
    finally:
        deadline.cancel()
    child.returncode = os.waitstatus_to_exitcode(status)
    assert child.returncode != 0, stderr
    return stderr, usage.ru_maxrss // 1024


BOMB_MIB = 300


def write_bomb(path, *, head: bytes, body: bytes, tail: bytes) -> int:
    """A .gz of ``head``, ``body`` repeated to BOMB_MIB MiB, then ``tail``; returns its size."""
    with gzip.open(path, "wb", compresslevel=9) as handle:
        handle.write(head)
        for _ in range(BOMB_MIB * 2**20 // len(body)):
            handle.write(body)
        handle.write(tail)
    return path.stat().st_size


@pytest.mark.django_db
class TestGzipBomb:
    """A few hundred KB that unpack to 300 MiB: refused, with memory far below that."""

    @pytest.mark.parametrize(
        ("shape", "problem"),
        [
            ("one endless line", "line 1: the line is longer than 4,194,304 bytes"),
            ("endless blank lines", "line 129: the file unpacks to more than 67,108,864 bytes"),
        ],
    )
    def test_is_refused_while_memory_stays_far_below_its_unpacked_size(
        self, tmp_path, monkeypatch, shape, problem
    ):
        small = write_lines(tmp_path / "small.jsonl.gz", ["{}"], compress=True)
        bomb = tmp_path / "bomb.jsonl.gz"
        if shape == "one endless line":
            packed = write_bomb(
                bomb, head=b'{"external_id": "x", "title": "', body=b"a" * 2**20, tail=b'"}\n'
            )
        else:
            # Each line is within the line limit and skipped as blank: only
            # the unpacked size stops it (lowered here to keep the test short).
            monkeypatch.setenv("CATALOG_IMPORT_MAX_UNPACKED_BYTES", str(64 * 2**20))
            packed = write_bomb(bomb, head=b"", body=b" " * (2**19 - 1) + b"\n", tail=b"")
        assert packed < 2 * 2**20  # a small file...

        baseline_error, baseline = measured_import(small)
        assert "field 'external_id': is required" in baseline_error
        error, peak = measured_import(bomb)

        # ...that unpacks to 300 MiB; the import holds a few MiB of it at a time.
        assert peak - baseline < 40, (baseline, peak)
        assert f"CommandError: {bomb}, {problem}" in error
