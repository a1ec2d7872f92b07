"""The extractive summariser chooses representative, diverse sentences and tidies them."""

from __future__ import annotations

from bot.embeddings import MiniLMEmbedder
from facilitation.summaries import ExtractiveSettings, ExtractiveSummariser, Turn
from facilitation.summaries.extractive import _quick_split
from tests.summaries.conftest import TopicEmbedder


def _turns(*lines: tuple[str, str]) -> list[Turn]:
    return [Turn(speaker=s, text=t, message_id=f"m{i}") for i, (s, t) in enumerate(lines)]


DISCUSSION = _turns(
    ("Host", "Hello everyone, welcome!"),
    ("Maya", "The sleep study followed forty students for a month."),
    ("Sam", "Sleep quality dropped when students used phones late."),
    ("Ana", "Sleep problems were worst during the exam weeks."),
    ("Ben", "Who is paying for the next funding round?"),
    ("Maya", "The funding comes from the council this year."),
    ("Sam", "thanks!"),
)


def test_picks_the_main_topic_then_a_different_one() -> None:
    summariser = ExtractiveSummariser(TopicEmbedder(["sleep", "funding"]))
    summary = summariser.summarise(DISCUSSION, max_sentences=2)
    assert [s.message_id for s in summary.sentences] == ["m1", "m4"]
    assert summary.sentences[0].source.startswith("The sleep study")
    assert summary.text == (
        "Maya says the sleep study followed forty students for a month. "
        "Ben asks who is paying for the next funding round."
    )
    assert summary.message_ids == ("m1", "m4")


def test_without_diversity_it_repeats_the_main_topic() -> None:
    settings = ExtractiveSettings(mmr_lambda=1.0)
    summariser = ExtractiveSummariser(TopicEmbedder(["sleep", "funding"]), settings=settings)
    summary = summariser.summarise(DISCUSSION, max_sentences=2)
    assert all("sleep" in s.source.lower() for s in summary.sentences)


def test_appreciated_messages_win_a_tie() -> None:
    turns = [
        Turn("Maya", "Sleep matters more than diet for mood.", message_id="a"),
        Turn("Sam", "Sleep matters more than exercise for mood.", message_id="b", weight=6),
        *(Turn("Ana", "ok!") for _ in range(20)),  # later chatter: position barely differs
    ]
    summary = ExtractiveSummariser(TopicEmbedder(["sleep"])).summarise(turns, max_sentences=1)
    assert summary.message_ids == ("b",)


def test_a_long_event_embeds_only_the_prefiltered_candidates() -> None:
    turns = [Turn(f"p{i % 7}", f"Sleep study number {i} had a small sample.") for i in range(60)]
    embedder = TopicEmbedder(["sleep"])
    summariser = ExtractiveSummariser(embedder, settings=ExtractiveSettings(max_candidates=10))
    summary = summariser.summarise(turns, max_sentences=3)
    assert embedder.calls == [10]
    assert len(summary.sentences) == 3


def test_word_budget_is_kept_and_an_overlong_best_sentence_is_trimmed() -> None:
    summariser = ExtractiveSummariser(TopicEmbedder(["sleep", "funding"]))
    summary = summariser.summarise(DISCUSSION, max_sentences=3, max_words=6)
    assert len(summary.sentences) == 1
    assert len(summary.text.split()) == 6
    assert summary.text.endswith("…")


def test_lead_sentence_names_speakers_and_key_phrases() -> None:
    settings = ExtractiveSettings(lead_with_topics=True)
    summariser = ExtractiveSummariser(TopicEmbedder(["sleep", "funding"]), settings=settings)
    summary = summariser.summarise(DISCUSSION, max_sentences=1)
    lead = summary.sentences[0]
    assert lead.message_id is None
    assert lead.text.startswith("Maya, Sam and 3 others talk about ")
    assert summary.keyphrases
    assert summary.keyphrases[0] in lead.text


def test_nothing_to_summarise_gives_an_empty_summary() -> None:
    turns = _turns(("Ana", "hi!"), ("Ben", "Thanks, bye."))
    summary = ExtractiveSummariser(TopicEmbedder(["x"])).summarise(turns)
    assert summary.sentences == ()
    assert summary.text == ""


def test_real_minilm_prefers_the_discussion_over_the_aside(minilm: MiniLMEmbedder) -> None:
    turns = _turns(
        ("Maya", "Teenagers who sleep less than seven hours report lower mood."),
        ("Dev", "My cat knocked the coffee off my desk again."),
        ("Sam", "Late screen use seems to cut teenagers' sleep by an hour."),
        ("Ana", "Schools that start later see students sleeping longer."),
        ("Ben", "Could sleep education classes help teenagers get more rest?"),
    )
    summary = ExtractiveSummariser(minilm).summarise(turns, max_sentences=2)
    assert len(summary.sentences) == 2
    assert "m1" not in summary.message_ids
    assert all(s.speaker in {"Maya", "Sam", "Ana", "Ben"} for s in summary.sentences)
    assert all(s.text.startswith(s.speaker) for s in summary.sentences)


def test_a_focused_gist_is_about_its_label_even_against_the_centre() -> None:
    # The theme "waste services" is one line of five; the rest is about sound checks.
    turns = _turns(
        ("Harriet", "Is there meant to be sound at this event tonight?"),
        ("Host", "The sound is off tonight, it is text only, your sound is fine."),
        ("Harriet", "Thank goodness, I kept turning the sound up and down."),
        ("Ben", "Missed bins go to waste services, I'll send you the link after."),
        ("Sam", "Sound checks done, let's start."),
    )
    summariser = ExtractiveSummariser(TopicEmbedder(["sound", "waste"]))
    assert summariser.summarise(turns, 1).message_ids != ("m3",)  # the centre wins unfocused
    for focus in (["waste services"], ["Waste Service"]):  # a phrase, else one of its words
        assert summariser.summarise(turns, 1, focus=focus).message_ids == ("m3",)
    # a focus nobody used leaves the choice as it was
    assert summariser.summarise(turns, 1, focus=["lift repairs"]).message_ids == (
        summariser.summarise(turns, 1).message_ids
    )


def test_an_opening_address_to_someone_in_the_chat_is_not_part_of_the_quote() -> None:
    turns = [
        Turn("dave__", "where is the terminal in this menu thing?", message_id="a"),
        Turn("thekidrio", "dave__: applications --> accessories --> terminal", message_id="b"),
        Turn("Maya", "Tenants, the sensor study covered 200 flats.", message_id="c"),
    ]
    summary = ExtractiveSummariser(TopicEmbedder(["terminal"])).summarise(turns, 3)
    said = [s.text for s in summary.sentences if s.speaker == "thekidrio"]
    assert said == ['thekidrio: "Applications --> accessories --> terminal".']
    # "Tenants," addresses nobody in the chat: it stays what was said
    assert any("Tenants" in s.text for s in summary.sentences if s.speaker == "Maya")


def test_a_closing_address_to_someone_in_the_chat_is_dropped_too() -> None:
    turns = [
        Turn("Elif", "Helena, do your readings match the admissions?", message_id="a"),
        Turn("Helena", "The readings do line up with admissions, Elif.", message_id="b"),
    ]
    summary = ExtractiveSummariser(TopicEmbedder(["readings"])).summarise(turns, 2)
    [said] = [s.text for s in summary.sentences if s.speaker == "Helena"]
    assert said == "Helena says the readings do line up with admissions."


def test_the_lead_names_topics_as_people_wrote_them() -> None:
    # From DialogSum dev (session 4): "talk about hong kong and advertising", and a
    # chat's "talk about group meets and desk perfect" (the ends of two messages).
    settings = ExtractiveSettings(lead_with_topics=True)
    summariser = ExtractiveSummariser(TopicEmbedder(["hong kong", "desk"]), settings=settings)
    turns = _turns(
        ("Amara", "Companies in Hong Kong spend far too much on advertising billboards."),
        ("Kofi", "The billboards in Hong Kong are the best part of the city."),
        ("Amara", "Just sign them in at the desk"),
        ("Kofi", "perfect, the Hong Kong billboards it is"),
    )
    lead = summariser.summarise(turns, max_sentences=1).sentences[0].text
    assert "Hong Kong" in lead and "hong kong" not in lead
    assert "desk perfect" not in lead.lower()


def test_an_opening_address_to_a_nick_nobody_here_used_is_dropped() -> None:
    # From the IRC replay: 'Skaperen: "Mjuksel: best to redo the make+make install ..."'
    summariser = ExtractiveSummariser(TopicEmbedder(["make install"]))
    turns = _turns(
        ("Skaperen", "Mjuksel: best to redo the make install for practice"),
        ("hypatia", "a make install puts the files back where they were"),
        ("Skaperen", "Question: is the make install step really needed?"),
    )
    summary = summariser.summarise(turns, max_sentences=3)
    assert "Mjuksel" not in summary.text
    assert "Question" in summary.text  # an English word with a colon is no address


def test_a_name_that_is_also_a_month_ends_a_sentence() -> None:
    # From the demo's "Catching up" (session 4): 'Jun: "I'm Jun. I put temperature sensors ..."'
    assert _quick_split("I'm Jun. I put temperature sensors in about two hundred flats.") == [
        "I'm Jun.",
        "I put temperature sensors in about two hundred flats.",
    ]
    assert _quick_split("The data comes out on Jun. 5 this year.") == [
        "The data comes out on Jun. 5 this year."
    ]
