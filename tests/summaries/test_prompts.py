"""The summaries' wording comes from prompts/summaries.toml, and the package exports."""

from __future__ import annotations

from pathlib import Path

import pytest

import facilitation.summaries as package
from bot.prompts import Prompts
from facilitation.summaries import Framing, load_summary_prompts, summary_prompts_from


def test_bundled_file_fills_every_template() -> None:
    framing, prompt = load_summary_prompts()
    assert framing.statement.format(speaker="Maya", clause="it works") == "Maya says it works."
    assert "{transcript}" in prompt.user
    assert prompt.system


def test_prompt_book_gives_the_same_wording_and_honours_overrides(tmp_path: Path) -> None:
    assert summary_prompts_from(Prompts.load()) == load_summary_prompts()
    (tmp_path / "summaries.toml").write_text('[framing]\nstatement = "{speaker}: {clause}."\n')
    framing, _ = summary_prompts_from(Prompts.load(tmp_path))
    assert framing.statement == "{speaker}: {clause}."
    assert framing.wh_question == Framing().wh_question


def test_unknown_framing_key_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "summaries.toml"
    path.write_text('[framing]\nstatment = "x"\n[abstractive]\nsystem = "s"\nuser = "u"\n')
    with pytest.raises(ValueError, match="statment"):
        load_summary_prompts(path)


def test_exports_are_what_we_mean() -> None:
    assert set(package.__all__) == {
        "AbstractivePrompt",
        "AbstractiveSummariser",
        "ExtractiveSettings",
        "ExtractiveSummariser",
        "Framing",
        "Grounding",
        "KeyphraseExtractor",
        "Summary",
        "SummarySentence",
        "Turn",
        "check_grounding",
        "load_summary_prompts",
        "summary_prompts_from",
    }
    assert all(hasattr(package, name) for name in package.__all__)
