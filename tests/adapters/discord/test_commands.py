"""Slash commands: registered from the grammar, acknowledged at once, answered later."""

from __future__ import annotations

from adapters.discord import DiscordAdapter
from bot.actions import Reply, Say, Target
from bot.events import CommandIssued
from tests.adapters.discord.conftest import COMMANDS, RecordingSink, StartAdapter
from tests.fakes.discord_fake import CHANNEL_ID, GUILD_ID, MODERATOR, DiscordFake

TARGET = Target("discord", GUILD_ID, CHANNEL_ID)


async def test_commands_registered_globally_from_grammar(
    fake: DiscordFake, adapter: DiscordAdapter
) -> None:
    [put] = [c for c in fake.calls if c.method == "PUT" and c.path.endswith("/commands")]
    assert put.path == "applications/1100000000000000001/commands"
    registered = fake.commands["global"]
    assert [(c["name"], c["description"]) for c in registered] == list(COMMANDS)
    for command in registered:
        [option] = command["options"]
        assert (option["name"], option["type"], option.get("required", False)) == ("text", 3, False)


async def test_commands_registered_per_guild_when_configured(
    fake: DiscordFake, start_adapter: StartAdapter
) -> None:
    await start_adapter(command_guilds=(GUILD_ID,))
    assert "global" not in fake.commands
    assert [c["name"] for c in fake.commands[GUILD_ID]] == [name for name, _ in COMMANDS]


async def test_slash_command_acknowledged_then_answered_by_followup(
    fake: DiscordFake, adapter: DiscordAdapter, sink: RecordingSink
) -> None:
    iid = await fake.invoke_command("event", 'start "Sleep research"', user=MODERATOR)
    [command] = await sink.wait_for(CommandIssued)
    assert (command.name, command.args) == ("event", 'start "Sleep research"')
    assert command.interaction_id == iid
    assert command.dedup_key == f"cmd:{iid}"
    assert (command.community, command.channel, command.author) == (
        GUILD_ID,
        CHANNEL_ID,
        MODERATOR["id"],
    )
    assert command.author_roles == {"moderator"}
    # The adapter answered at once (type 4) with an echo only the caller sees: no
    # 3 s timeout, and no "thinking..." placeholder left waiting for a followup.
    assert fake.interactions[iid].acked == 4
    assert fake.interactions[iid].loading_message_id is None
    [callback] = [c for c in fake.calls if c.path.endswith("/callback")]
    assert callback.authorization is None  # interaction callbacks carry their token in the URL
    assert callback.status == 200
    assert callback.body["data"]["flags"] & 64  # ephemeral
    assert callback.body["data"]["content"] == '/event start "Sleep research"'

    refs = await adapter.send(Reply(target=TARGET, message_id=iid, text="Started: Sleep research"))
    assert len(refs) == 1
    assert fake.sent[-1]["content"] == "Started: Sleep research"
    assert fake.interactions[iid].followups == 1


async def test_command_without_text_and_plain_say_after(
    fake: DiscordFake, adapter: DiscordAdapter, sink: RecordingSink
) -> None:
    await fake.invoke_command("catchup")
    [command] = await sink.wait_for(CommandIssued)
    assert (command.name, command.args, command.text) == ("catchup", "", "/catchup")
    refs = await adapter.send(Say(target=TARGET, text="Here is what you missed"))
    assert refs[0].channel == CHANNEL_ID
    assert fake.sent[-1]["content"] == "Here is what you missed"
