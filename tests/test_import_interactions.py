from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from profiles.models import Interaction
from tests.factories import make_interaction, make_item, make_user, write_lines

HEADER = "user,item,kind,value,timestamp"


@pytest.fixture
def books(db):
    return [make_item(external_id=f"bk-{n}") for n in (1, 2, 3)]


def import_interactions(path):
    call_command("import_interactions", str(path))


@pytest.mark.django_db
class TestImportInteractions:
    def test_imports_each_kind_and_creates_missing_users(self, tmp_path, books):
        make_user("alice")
        path = write_lines(
            tmp_path / "i.csv",
            [
                HEADER,
                "alice,bk-1,rating,4.5,1700000000",
                "alice,bk-2,like,,2025-03-14T18:22:05Z",
                "newbie,bk-3,not_interested,,2025-03-14 18:22:05",
                "newbie,bk-1,dislike,,",
                "newbie,bk-2,view,,1700000000.5",
            ],
        )
        import_interactions(path)

        rows = {
            (i.user.username, i.item.external_id, i.kind): i
            for i in Interaction.objects.select_related("user", "item")
        }
        assert set(rows) == {
            ("alice", "bk-1", "rating"),
            ("alice", "bk-2", "like"),
            ("newbie", "bk-3", "not_interested"),
            ("newbie", "bk-1", "dislike"),
            ("newbie", "bk-2", "view"),
        }
        assert rows["alice", "bk-1", "rating"].value == 4.5
        assert rows["alice", "bk-1", "rating"].timestamp == datetime.fromtimestamp(
            1700000000, tz=UTC
        )
        assert rows["alice", "bk-2", "like"].timestamp == datetime(
            2025, 3, 14, 18, 22, 5, tzinfo=UTC
        )
        assert rows["alice", "bk-2", "like"].value is None
        newbie = get_user_model().objects.get(username="newbie")
        assert not newbie.is_active
        assert not newbie.has_usable_password()
        assert get_user_model().objects.get(username="alice").is_active

    def test_rerating_updates_the_existing_rating(self, tmp_path, books, owner):
        make_interaction(owner, books[0], value=2.0)
        import_interactions(
            write_lines(tmp_path / "i.csv", [HEADER, "owner,bk-1,rating,5,1800000000"])
        )
        rating = Interaction.objects.get(user=owner, item=books[0], kind="rating")
        assert rating.value == 5.0
        assert rating.timestamp == datetime.fromtimestamp(1800000000, tz=UTC)
        assert Interaction.objects.count() == 1

    def test_latest_rating_in_a_file_wins(self, tmp_path, books):
        path = write_lines(
            tmp_path / "i.csv",
            [
                HEADER,
                "u,bk-1,rating,5,1700000300",
                "u,bk-1,rating,1,1700000100",
                "u,bk-1,rating,3,1700000200",
            ],
        )
        import_interactions(path)
        assert list(Interaction.objects.values_list("value", flat=True)) == [5.0]

    def test_value_and_timestamp_columns_are_optional(self, tmp_path, books):
        import_interactions(write_lines(tmp_path / "i.csv", ["item,user,kind", "bk-2,u,like"]))
        like = Interaction.objects.get()
        assert (like.kind, like.value) == ("like", None)


BAD_ROWS = [
    pytest.param(
        "u,bk-404,rating,4,1", "item", "no item with external_id 'bk-404'", id="unknown-item"
    ),
    pytest.param("u,bk-1,love,,1", "kind", "'love' is not one of", id="bad-kind"),
    pytest.param("u,bk-1,rating,,1", "value", "a rating needs a value", id="rating-without-value"),
    pytest.param(
        "u,bk-1,rating,7,1", "value", "rating 7 is outside 0.5-5", id="rating-out-of-range"
    ),
    pytest.param(
        "u,bk-1,rating,great,1", "value", "'great' is not a number", id="rating-not-number"
    ),
    pytest.param("u,bk-1,like,5,1", "value", "only ratings carry a value", id="value-on-like"),
    pytest.param(
        "u,bk-1,rating,4,yesterday", "timestamp", "neither unix seconds nor", id="bad-timestamp"
    ),
    pytest.param(",bk-1,like,,1", "user", "must not be empty", id="empty-user"),
    pytest.param("u,bk-1,like", None, "expected 5 fields, found 3", id="short-row"),
]


@pytest.mark.django_db
class TestBadInput:
    @pytest.mark.parametrize(("bad_line", "field", "problem"), BAD_ROWS)
    def test_bad_line_aborts_the_whole_file(self, tmp_path, books, bad_line, field, problem):
        path = write_lines(
            tmp_path / "i.csv", [HEADER, "good,bk-2,rating,4,1", bad_line, "good,bk-3,like,,1"]
        )
        with pytest.raises(CommandError) as error:
            import_interactions(path)
        message = str(error.value)
        assert message.startswith(f"{path}, line 3")
        if field:
            assert f"field '{field}'" in message
        assert problem in message
        assert not Interaction.objects.exists()
        assert not get_user_model().objects.filter(username="good").exists()

    def test_unknown_column(self, tmp_path, books):
        with pytest.raises(CommandError, match=r"line 1, field 'rating': unknown column"):
            import_interactions(
                write_lines(tmp_path / "i.csv", ["user,item,kind,rating", "u,bk-1,rating,4"])
            )

    def test_missing_required_column(self, tmp_path, books):
        with pytest.raises(CommandError, match=r"line 1, field 'kind': column is missing"):
            import_interactions(write_lines(tmp_path / "i.csv", ["user,item,value", "u,bk-1,4"]))

    def test_header_only(self, tmp_path, books):
        with pytest.raises(CommandError, match="contains no interactions"):
            import_interactions(write_lines(tmp_path / "i.csv", [HEADER]))
