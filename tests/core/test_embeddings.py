from __future__ import annotations

import numpy as np

from bot.embeddings import StaticEmbedder
from facilitation.threads.scorer import Scorer, trained_embedder


def test_static_vectors_are_normalised_and_carry_some_meaning() -> None:
    e = StaticEmbedder()
    usb, usb2, cat, empty = e.embed(
        ["how do i mount a usb stick", "mounting usb drives on linux", "my cat likes fish", ""]
    )
    assert abs(float(usb @ usb) - 1.0) < 1e-5
    assert float(usb @ usb2) > float(usb @ cat) + 0.2
    assert not np.any(empty)


def test_the_shipped_thread_weights_name_the_embedder_they_were_trained_with() -> None:
    scorer = Scorer.load()
    assert scorer.meta["embeddings"]["kind"] == "static"
    assert isinstance(trained_embedder(scorer), StaticEmbedder)
    assert "Kummerfeld" in str(scorer.meta["attribution"])
