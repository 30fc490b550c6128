import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.models import Item
from profiles.models import Interaction
from profiles.movielens import split_title
from tests.factories import write_lines


def write_csv_layout(folder, *, compress=False):
    folder.mkdir()
    suffix = ".csv.gz" if compress else ".csv"
    write_lines(
        folder / f"movies{suffix}",
        [
            "movieId,title,genres",
            "1,Toy Story (1995),Adventure|Animation|Children",
            '2,"Matrix, The (1999)",Action|Sci-Fi|Thriller',
            "3,Untitled Short,(no genres listed)",
        ],
        compress=compress,
    )
    write_lines(
        folder / f"ratings{suffix}",
        [
            "userId,movieId,rating,timestamp",
            "1,1,4.0,964982703",
            "1,2,5.0,964981247",
            "2,2,0.5,1445714835",
        ],
        compress=compress,
    )
    write_lines(
        folder / f"tags{suffix}",
        [
            "userId,movieId,tag,timestamp",
            "2,2,Cyberpunk,1445714994",
            "3,2,cyberpunk ,1445715000",
            "2,1,pixar,1445714994",
        ],
        compress=compress,
    )
    write_lines(
        folder / f"links{suffix}",
        ["movieId,imdbId,tmdbId", "1,0114709,862", "2,0133093,603", "3,0000001,"],
        compress=compress,
    )
    return folder


def write_tmdb(folder):
    keywords = write_lines(
        folder / "keywords.csv.gz",
        [
            "id,keywords",
            "862,\"[{'id': 931, 'name': 'jealousy'}, {'id': 4290, 'name': 'toy'}]\"",
            "603,\"[{'id': 2964, 'name': 'Artificial Intelligence'}]\"",
            "999,\"[{'id': 1, 'name': 'unrelated'}]\"",
        ],
        compress=True,
    )
    overview = 'A hacker learns "the truth",\nover two lines.'
    movie_keywords = json.dumps([{"id": 1, "name": "simulated reality"}]).replace('"', '""')
    quoted_overview = overview.replace('"', '""')
    movies = write_lines(
        folder / "tmdb_movies.csv.gz",
        [
            "budget,id,keywords,overview,title",
            f'63000000,603,"{movie_keywords}","{quoted_overview}",The Matrix',
        ],
        compress=True,
    )
    return keywords, movies


@pytest.mark.django_db
class TestCsvLayout:
    @pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
    def test_movies_ratings_tags_and_links(self, tmp_path, compress):
        call_command("import_movielens", str(write_csv_layout(tmp_path / "ml", compress=compress)))

        toy = Item.objects.get(external_id="ml-1")
        assert (toy.title, toy.year) == ("Toy Story", 1995)
        assert toy.categories == ["Adventure", "Animation", "Children"]
        assert toy.tags == ["pixar"]
        assert toy.metadata == {"movielens_id": 1, "imdb_id": "tt0114709", "tmdb_id": 862}
        matrix = Item.objects.get(external_id="ml-2")
        assert (matrix.title, matrix.year) == ("The Matrix", 1999)
        assert matrix.tags == ["cyberpunk"]
        untitled = Item.objects.get(external_id="ml-3")
        assert (untitled.categories, untitled.year) == ([], None)

        ratings = {
            (r.user.username, r.item.external_id): r.value
            for r in Interaction.objects.select_related("user", "item")
        }
        assert ratings == {("ml-1", "ml-1"): 4.0, ("ml-1", "ml-2"): 5.0, ("ml-2", "ml-2"): 0.5}
        assert set(Interaction.objects.values_list("kind", flat=True)) == {"rating"}

    def test_tmdb_enrichment(self, tmp_path):
        folder = write_csv_layout(tmp_path / "ml")
        keywords, movies = write_tmdb(tmp_path)
        call_command(
            "import_movielens", str(folder), tmdb_keywords=str(keywords), tmdb_movies=str(movies)
        )

        matrix = Item.objects.get(external_id="ml-2")
        assert matrix.description == 'A hacker learns "the truth",\nover two lines.'
        assert matrix.tags == ["artificial intelligence", "simulated reality", "cyberpunk"]
        toy = Item.objects.get(external_id="ml-1")
        assert toy.tags == ["jealousy", "toy", "pixar"]
        assert toy.description == ""

    def test_reimport_is_an_upsert(self, tmp_path):
        folder = write_csv_layout(tmp_path / "ml")
        call_command("import_movielens", str(folder))
        call_command("import_movielens", str(folder))
        assert Item.objects.count() == 3
        assert Interaction.objects.count() == 3

    def test_rating_for_an_unknown_movie_imports_nothing(self, tmp_path):
        folder = write_csv_layout(tmp_path / "ml")
        write_lines(
            folder / "ratings.csv",
            ["userId,movieId,rating,timestamp", "1,1,4.0,964982703", "1,77,3.0,964982703"],
        )
        with pytest.raises(
            CommandError, match=r"ratings.csv, line 3, field 'movieId': no movie 77"
        ):
            call_command("import_movielens", str(folder))
        assert not Item.objects.exists()
        assert not Interaction.objects.exists()

    def test_bad_rating_value_names_its_line(self, tmp_path):
        folder = write_csv_layout(tmp_path / "ml")
        write_lines(folder / "ratings.csv", ["userId,movieId,rating,timestamp", "1,1,9,964982703"])
        with pytest.raises(
            CommandError, match=r"ratings.csv, line 2, field 'rating': rating 9 is outside"
        ):
            call_command("import_movielens", str(folder))
        assert not Item.objects.exists()

    def test_enrichment_needs_links(self, tmp_path):
        folder = write_csv_layout(tmp_path / "ml")
        (folder / "links.csv").unlink()
        keywords, _ = write_tmdb(tmp_path)
        with pytest.raises(CommandError, match="links.csv, which is missing"):
            call_command("import_movielens", str(folder), tmdb_keywords=str(keywords))

    def test_missing_ratings_file(self, tmp_path):
        folder = write_csv_layout(tmp_path / "ml")
        (folder / "ratings.csv").unlink()
        with pytest.raises(CommandError, match="no ratings.csv or ratings.dat"):
            call_command("import_movielens", str(folder))


@pytest.mark.django_db
class TestDatLayout:
    def test_double_colon_latin1_files(self, tmp_path):
        folder = tmp_path / "ml-1m"
        folder.mkdir()
        (folder / "movies.dat").write_bytes(
            "1::Toy Story (1995)::Animation|Children's|Comedy\n"
            "2::Cité des enfants perdus, La (1995)::Adventure|Sci-Fi\n".encode("latin-1")
        )
        (folder / "ratings.dat").write_bytes(
            b"1::1::5::978300760\n1::2::3::978302109\n6040::2::1::956703977\n"
        )
        call_command("import_movielens", str(folder))

        assert Item.objects.get(external_id="ml-2").title == "Cité des enfants perdus, La"
        assert Item.objects.get(external_id="ml-1").categories == [
            "Animation",
            "Children's",
            "Comedy",
        ]
        assert Interaction.objects.filter(
            user__username="ml-6040", item__external_id="ml-2", value=1.0
        ).exists()
        assert Interaction.objects.count() == 3

    def test_malformed_dat_line(self, tmp_path):
        folder = tmp_path / "ml-1m"
        folder.mkdir()
        (folder / "movies.dat").write_bytes(b"1::Toy Story (1995)::Animation\n")
        (folder / "ratings.dat").write_bytes(b"1::1::5::978300760\n1::1::5\n")
        with pytest.raises(
            CommandError, match=r"ratings.dat, line 2: expected 4 '::'-separated fields, found 3"
        ):
            call_command("import_movielens", str(folder))
        assert not Item.objects.exists()


class TestTitles:
    @pytest.mark.parametrize(
        ("raw", "title", "year"),
        [
            ("Toy Story (1995)", "Toy Story", 1995),
            ("Matrix, The (1999)", "The Matrix", 1999),
            ("American President, An (1995)", "An American President", 1995),
            ("Babylon 5", "Babylon 5", None),
            ("Fawlty Towers (1975-1979)", "Fawlty Towers", 1975),
            (
                "City of Lost Children, The (Cité des enfants perdus, La) (1995)",
                "The City of Lost Children (Cité des enfants perdus, La)",
                1995,
            ),
        ],
    )
    def test_split_title(self, raw, title, year):
        assert split_title(raw) == (title, year)
