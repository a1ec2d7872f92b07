"""Discord sharding: a worker connects as its own shards only (``[discord] shard_ids``)."""

from __future__ import annotations

import pytest

from adapters.discord import DiscordAdapter, DiscordConfig
from bot.events import MessagePosted
from tests.adapters.discord.conftest import RecordingSink, StartAdapter
from tests.fakes.discord_fake import GUILD_ID, DiscordFake

HOME = (int(GUILD_ID) >> 22) % 2  # the shard Discord routes the test server to, of 2
AWAY = 1 - HOME


async def test_the_worker_with_the_servers_shard_gets_its_messages(
    fake: DiscordFake, start_adapter: StartAdapter, sink: RecordingSink
) -> None:
    adapter: DiscordAdapter = await start_adapter(shard_count=2, shard_ids=(HOME,))
    assert [i["shard"] for i in fake.identifies] == [[HOME, 2]]
    assert adapter.client is not None
    assert [g.id for g in adapter.client.guilds] == [int(GUILD_ID)]
    await fake.post_message("Which shard am I on?")
    [event] = await sink.wait_for(MessagePosted)
    assert event.text == "Which shard am I on?"


async def test_a_worker_with_other_shards_does_not_see_the_server(
    fake: DiscordFake, start_adapter: StartAdapter
) -> None:
    adapter = await start_adapter(shard_count=2, shard_ids=(AWAY,))
    assert [i["shard"] for i in fake.identifies] == [[AWAY, 2]]
    assert adapter.client is not None and list(adapter.client.guilds) == []


def test_shard_ids_need_a_count_in_range() -> None:
    with pytest.raises(ValueError, match="needs shard_count"):
        DiscordConfig(shard_ids=(0,))
    with pytest.raises(ValueError, match="from 0 to shard_count - 1"):
        DiscordConfig(shard_count=2, shard_ids=(2,))
    assert DiscordConfig(shard_count=4, shard_ids=(0, 1)).shard_ids == (0, 1)
