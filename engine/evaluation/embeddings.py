"""Vectors for texts, remembered on disk by model name and text hash.

Encoding ml-latest-small's 9,742 item texts takes about 35 s here; a second
run of the evaluation reads them back in well under a second. One file per
model (``<folder>/<model slug>-<digest>.npz``) holds the text hashes and
their vectors; it is replaced atomically, so a run killed while writing
leaves the previous file whole.
"""

import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from catalog.text import text_hash

# Texts are encoded (and the progress bar moves) this many at a time.
CHUNK = 256
# Chunks between saves: about 15 s of encoding here.
SAVE_EVERY = 16


class EmbeddingCache:
    def __init__(self, folder: Path, model: str) -> None:
        self.model = model
        slug = re.sub(r"[^A-Za-z0-9]+", "-", model).strip("-")[:60] or "model"
        digest = hashlib.sha256(model.encode()).hexdigest()[:12]
        self.path = Path(folder) / f"{slug}-{digest}.npz"
        self._vectors: dict[str, np.ndarray] = {}
        if self.path.exists():
            with np.load(self.path, allow_pickle=False) as stored:
                if str(stored["model"]) == model:
                    self._vectors = dict(
                        zip(stored["hashes"].tolist(), stored["vectors"], strict=True)
                    )

    def __len__(self) -> int:
        return len(self._vectors)

    def vectors(
        self,
        texts: Sequence[str],
        encode: Callable[[list[str]], np.ndarray],
        *,
        on_progress: Callable[[int], object] | None = None,
        on_missing: Callable[[int], object] | None = None,
    ) -> np.ndarray:
        """One vector per text: cached ones read back, the others encoded and saved.

        ``on_missing`` hears how many distinct texts need encoding (a progress
        bar's total); ``on_progress`` how many were just encoded.
        """
        hashes = [text_hash(text) for text in texts]
        missing: dict[str, str] = {}
        for digest, text in zip(hashes, texts, strict=True):
            if digest not in self._vectors:
                missing.setdefault(digest, text)
        if on_missing:
            on_missing(len(missing))
        if missing:
            pending = list(missing.items())
            for start in range(0, len(pending), CHUNK):
                chunk = pending[start : start + CHUNK]
                encoded = np.asarray(encode([text for _, text in chunk]), dtype=np.float32)
                for (digest, _), vector in zip(chunk, encoded, strict=True):
                    self._vectors[digest] = vector
                if on_progress:
                    on_progress(len(chunk))
                if (start // CHUNK) % SAVE_EVERY == SAVE_EVERY - 1:
                    self._save()  # an interrupted run keeps most of its work
            self._save()
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._vectors[digest] for digest in hashes])

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        hashes = np.array(list(self._vectors), dtype=str)
        vectors = np.stack(list(self._vectors.values())).astype(np.float32)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".npz.part")
        try:
            with os.fdopen(handle, "wb") as file:
                np.savez(file, model=np.array(self.model), hashes=hashes, vectors=vectors)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
