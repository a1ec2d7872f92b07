"""The learned link scorer: a small feed-forward net applied with numpy.

Weights live in a JSON file (no pickles): feature names, the standardisation the
net was trained with, and the layers. ``train.py`` writes it.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from bot.embeddings import MiniLMEmbedder, StaticEmbedder
from facilitation.threads.features import FEATURES

if TYPE_CHECKING:
    from bot.embeddings import Embedder

__all__ = ["Scorer", "default_weights_path"]

FloatArray = npt.NDArray[np.float32]


def default_weights_path() -> Path:
    """The weights shipped with the package."""
    return Path(str(resources.files("facilitation.threads").joinpath("weights.json")))


class Scorer:
    """Scores every candidate of one message; higher means more likely its antecedent.

    Args:
        mean: per-feature mean subtracted before the net.
        scale: per-feature divisor applied after.
        layers: (weight matrix, bias) pairs; tanh between them, none after the last.
        meta: free-form metadata kept with the weights (attribution, settings).
        reserved: words never taken as nicks (learned from the training data).
    """

    def __init__(
        self,
        mean: FloatArray,
        scale: FloatArray,
        layers: list[tuple[FloatArray, FloatArray]],
        meta: dict[str, Any] | None = None,
        reserved: frozenset[str] = frozenset(),
    ) -> None:
        self.mean = mean.astype(np.float32)
        self.scale = scale.astype(np.float32)
        self.layers = [(w.astype(np.float32), b.astype(np.float32)) for w, b in layers]
        self.meta = meta or {}
        self.reserved = reserved

    def logits(self, x: FloatArray) -> FloatArray:
        """One score per row of the feature matrix ``x``."""
        h = (x - self.mean) / self.scale
        for i, (w, b) in enumerate(self.layers):
            h = h @ w + b
            if i < len(self.layers) - 1:
                h = np.tanh(h)
        return np.asarray(h[:, 0], np.float32)

    def probabilities(self, x: FloatArray) -> FloatArray:
        """Softmax of :meth:`logits` over the candidates of one message."""
        z = self.logits(x)
        e = np.exp(z - z.max())
        return np.asarray(e / e.sum(), np.float32)

    def to_json(self) -> dict[str, Any]:
        return {
            "meta": self.meta,
            "features": list(FEATURES),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "layers": [{"w": w.tolist(), "b": b.tolist()} for w, b in self.layers],
            "reserved": sorted(self.reserved),
        }

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), separators=(",", ":")) + "\n")

    @classmethod
    def load(cls, path: Path | None = None) -> Scorer:
        """Load weights; ``None`` means the ones shipped with the package.

        Raises:
            ValueError: the file was trained on a different feature set.
        """
        data = json.loads((path or default_weights_path()).read_text())
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{path}: weights were trained on other features")
        layers = [
            (np.asarray(layer["w"], np.float32), np.asarray(layer["b"], np.float32))
            for layer in data["layers"]
        ]
        return cls(
            np.asarray(data["mean"], np.float32),
            np.asarray(data["scale"], np.float32),
            layers,
            meta=data.get("meta", {}),
            reserved=frozenset(data.get("reserved", ())),
        )


def trained_embedder(scorer: Scorer) -> Embedder | None:
    """The embedder the scorer's weights were trained with (``None``: meaning off).

    ``kind = "static"`` weights use MiniLM's token table only, fast enough for a
    live stream; older weights used the full MiniLM encoder.
    """

    settings = scorer.meta.get("embeddings")
    if not isinstance(settings, dict):
        return None
    max_length = int(settings.get("max_length", 64))
    if settings.get("kind") == "static":
        return StaticEmbedder(max_length=max_length)
    return MiniLMEmbedder(max_length=max_length, dtype=str(settings.get("dtype", "float32")))
