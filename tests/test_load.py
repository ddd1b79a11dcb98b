"""A class on one server, in small: bounded caches, the warm start, students who leave mid-run or reload
all at once, and sessions that never see each other's input (bench/load.py speaks the protocol)."""
import asyncio
import re
import sys
import time

import pytest
import streamlit as st

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from load import ATTENTION_BOX, Session, app_server, open_session, student_token  # noqa: E402

from core import list_models  # noqa: E402
from ui import cache  # noqa: E402

TIMEOUT = 240  # seconds for one run of a page on a busy CI machine


def cached_functions():
    return {name: value for name, value in vars(cache).items() if hasattr(value, "_info")}


def test_every_cache_is_bounded():
    """Every st.cache_data / st.cache_resource of ui.cache holds a bounded number of values, and every
    cache of records a bounded number of bytes."""
    functions = cached_functions()
    assert {"_load", "_trace", "_timeline", "get_run", "_unrolled", "_side_by_side", "_encoder_decoder", "_film_figure"} <= set(functions)
    for name, function in functions.items():
        info = function._info
        assert info.max_entries is not None and info.max_entries <= cache.MAX_TRACES, name
        if type(info).__name__.startswith("CachedDataFunc") and info.max_entries > 1:
            assert info.max_size_bytes is not None and info.max_size_bytes <= 32 * 2**20, name


def test_a_default_written_out_is_the_same_entry(monkeypatch):
    """Two pages asking for the same input (one leaving the defaults out) share one cached trace."""
    text = "Xqcache" + "abc"
    first = cache.get_trace("reverse-attn", text)
    monkeypatch.setattr(cache, "get_model", lambda name: pytest.fail("computed a second time"))
    again = cache.get_trace("reverse-attn", text, 1, [], 1.0)
    assert again.output == first.output and again.src_tokens == first.src_tokens


def test_the_warm_start_computes_every_card_example(monkeypatch):
    """After warm_examples, each example of the cards is served from the caches: no model runs."""
    cards = [card for card in list_models() if card.task == "reverse" or card.name == "ner"]
    assert cards and all(card.examples for card in cards)
    st.cache_data.clear()
    computed = cache.warm_examples(cards)
    assert computed == sum(len(card.examples) for card in cards)
    monkeypatch.setattr(cache, "get_model", lambda name: pytest.fail(f"{name} ran after the warm start"))
    monkeypatch.setattr(cache, "timeline_figure", lambda trace: pytest.fail("a timeline drawn after the warm start"))
    for card in cards:
        for example in card.examples:
            record = cache.get_trace(card.name, example) if card.kind == "seq2seq" else cache.get_run(card.name, example)
            assert record.steps
        if card.kind == "seq2seq" and card.attention:
            assert cache.get_timeline(card.name, card.examples[0]) is not None  # the first example's figure


async def first_students(url: str, count: int, inputs: int) -> list[Session]:
    """`count` students on /attention, each typing `inputs` sentences with tokens of their own."""
    async def one(number: int) -> Session:
        tokens = [student_token(number, k) for k in range(inputs)]
        session = Session(url, own={t.encode() for t in tokens}, timeout=TIMEOUT)
        async with session:
            await session.open("attention")
            for token in tokens:
                await session.enter(ATTENTION_BOX, f"I saw {token} today.")
        return session

    return await asyncio.gather(*(one(n) for n in range(count)))


async def leave_mid_run(url: str) -> None:
    """A student presses Enter and closes the tab before the page is done."""
    async with Session(url, timeout=TIMEOUT) as session:
        await session.open("attention")
        from streamlit.proto.BackMsg_pb2 import BackMsg

        back = BackMsg()
        back.rerun_script.page_name = "attention"
        widget = back.rerun_script.widget_states.widgets.add()
        widget.id, widget.string_value = session.widgets[ATTENTION_BOX], "A sentence nobody waits for."
        await session.socket.send(back.SerializeToString())


async def reload_at_once(url: str, count: int) -> list[Session]:
    """`count` students with the page open reload it at the same moment (close and reopen the socket)."""
    sessions = [Session(url, timeout=TIMEOUT) for _ in range(count)]
    for session in sessions:
        await session.__aenter__()
    await asyncio.gather(*(session.open("attention") for session in sessions))
    await asyncio.gather(*(session.close() for session in sessions))
    again = [Session(url, timeout=TIMEOUT) for _ in range(count)]

    async def reopen(session: Session) -> Session:
        async with session:
            await session.open("attention")
        return session

    return await asyncio.gather(*(reopen(session) for session in again))


def test_a_class_leaves_the_server_healthy_and_private(tmp_path):
    """Ten students type their own sentences (none sees another's), one leaves mid-run, twenty reload
    at once; then a fresh session works. The server's log holds no traceback."""
    log = tmp_path / "server.log"
    # closed tabs' sessions expire after 2 s here (30 s in .streamlit/config.toml), so that the test sees
    # the server drop them itself when nothing else happens (ui.cache._drop_expired_sessions)
    with app_server(log=log, env={"STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": "2"}) as (url, _):
        asyncio.run(open_session(url, timeout=TIMEOUT))  # the first visit, as deploy/warm.py makes it (see README)
        students = asyncio.run(first_students(url, 10, 2))
        for session in students:
            assert not session.errors and not session.leaks
            assert session.own_seen == session.own  # the search for tokens finds the student's own
        assert all(session.received_bytes > 0 for session in students)
        asyncio.run(leave_mid_run(url))
        reloaded = asyncio.run(reload_at_once(url, 20))
        assert all(not session.errors and session.widgets for session in reloaded)

        token = student_token(99, 0)

        async def fresh() -> Session:
            async with Session(url, own={token.encode()}, timeout=TIMEOUT) as session:
                await session.open("attention")
                await session.enter(ATTENTION_BOX, f"Where is {token}?")
                return session

        session = asyncio.run(fresh())
        assert not session.errors and not session.leaks and session.own_seen == {token.encode()}
        # nobody closes a tab after the last one: the server still frees the sessions kept for a reconnect
        deadline = time.monotonic() + 3 * cache.TRIM_EVERY_S + 10
        while time.monotonic() < deadline and not re.search(r"dropped \d+ closed session", log.read_text()):
            time.sleep(1)
        text = log.read_text()
        assert re.search(r"dropped [1-9]\d* closed session", text), text[-3000:]
        assert "left to Streamlit" not in text
    assert "Traceback" not in log.read_text(), log.read_text()
