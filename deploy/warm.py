"""Open one session on each app server, as a first visitor would, so that each loads every model and
computes every card example now (ui.cache.warm_up), before a class arrives.

    python deploy/warm.py http://127.0.0.1:8501 http://127.0.0.1:8502
"""
from __future__ import annotations

import asyncio
import os
import sys
import time
import urllib.request

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg


async def first_visit(url: str, timeout: float = float(os.environ.get("WARM_TIMEOUT", 600))) -> None:
    """Wait for the server's health check, open its home page over the websocket and wait for the run
    to finish (the warm start goes on in the server after this returns)."""
    deadline = time.time() + timeout
    while True:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=5).read() == b"ok":
                break
        except OSError:
            if time.time() > deadline:
                raise RuntimeError(f"{url} did not answer its health check") from None
            await asyncio.sleep(0.5)
    stream = url.replace("http", "ws", 1) + "/_stcore/stream"
    async with websockets.connect(stream, subprotocols=["streamlit"], max_size=None, open_timeout=timeout) as socket:
        back = BackMsg()
        back.rerun_script.page_name = ""
        await socket.send(back.SerializeToString())
        async with asyncio.timeout(max(deadline - time.time(), 30)):
            async for data in socket:
                msg = ForwardMsg()
                msg.ParseFromString(data)
                if msg.WhichOneof("type") == "script_finished":
                    return


async def main(urls: list[str]) -> None:
    await asyncio.gather(*(first_visit(url.rstrip("/")) for url in urls))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:] or ["http://127.0.0.1:8501"]))
