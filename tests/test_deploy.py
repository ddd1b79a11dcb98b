"""More than one server: deploy/run.sh starts two app servers behind HAProxy; every session stays on
the server that its cookie names and works; with one server stopped, new sessions still work."""
import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from http.cookies import SimpleCookie

import pytest

from conftest import ROOT, free_port

sys.path.insert(0, str(ROOT / "bench"))
from load import ATTENTION_BOX, Session, student_token  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("haproxy") is None,
                                reason="haproxy is not installed (apt-get install haproxy; .ci/run installs it)")
TIMEOUT = 240


def get(url: str, cookie: str | None = None):
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.headers, response.read()


def two_free_ports() -> list[int]:
    """Two free ports in a row (run.sh gives server i the port BASE_PORT + i - 1)."""
    while True:
        base = free_port()
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", base + 1))
            except OSError:
                continue
        return [base, base + 1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """`deploy/run.sh 2` on free ports; yields (balancer URL, run directory). Stops all on exit."""
    run_dir = tmp_path_factory.mktemp("cluster")
    ports = two_free_ports() + [free_port()]
    process = subprocess.Popen(
        ["bash", "deploy/run.sh", "2"], cwd=ROOT, start_new_session=True, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHON": sys.executable, "RUN_DIR": str(run_dir), "BASE_PORT": str(ports[0]),
             "BALANCER_PORT": str(ports[2])})
    url = f"http://127.0.0.1:{ports[2]}"
    try:
        deadline = time.time() + 900
        while True:
            try:
                if get(url + "/_stcore/health")[1] == b"ok":
                    break
            except OSError:
                if time.time() > deadline or process.poll() is not None:
                    raise RuntimeError("the cluster did not start: " + (process.stdout.read() if process.poll() else ""))
                time.sleep(0.5)
        yield url, run_dir
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
        for log in sorted(run_dir.glob("app*.log")):
            assert "Traceback" not in log.read_text(), log.read_text()


async def visit(url: str, number: int, cookie: str | None = None) -> dict:
    """What a browser does: load the page (the balancer sets its cookie), then open the websocket with
    that cookie, open /attention and type a sentence with a token of its own."""
    headers, _ = get(url + "/", cookie)
    server = headers["X-Served-By"]
    jar = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    cookie = f"SERVERID={jar['SERVERID'].value}" if "SERVERID" in jar else cookie
    token = student_token(number, 0)
    async with Session(url, own={token.encode()}, timeout=TIMEOUT, headers={"Cookie": cookie}) as session:
        await session.open("attention")
        await session.enter(ATTENTION_BOX, f"I saw {token} in Boston.")
    health, _ = get(url + "/_stcore/health", cookie)
    return {"page": server, "socket": session.served_by, "health": health["X-Served-By"], "cookie": cookie,
            "errors": session.errors, "leaks": session.leaks, "own": session.own_seen == {token.encode()}}


async def class_of(url: str, count: int, first: int = 0, cookie: str | None = None) -> list[dict]:
    return await asyncio.gather(*(visit(url, first + n, cookie) for n in range(count)))


def test_sessions_stay_on_their_server_and_survive_a_stopped_one(cluster):
    url, run_dir = cluster
    visits = asyncio.run(class_of(url, 20))
    for seen in visits:
        assert seen["page"] == seen["socket"] == seen["health"], seen  # one server for the whole session
        assert seen["cookie"] == f"SERVERID={seen['page']}"
        assert not seen["errors"] and not seen["leaks"] and seen["own"], seen
    assert {seen["page"] for seen in visits} == {"app1", "app2"}  # new browsers are spread over both

    os.kill(int((run_dir / "app1.pid").read_text()), signal.SIGTERM)
    time.sleep(10)  # the balancer's health check takes app1 out (3 failed checks, 3 s apart)
    after = asyncio.run(class_of(url, 5, first=20)) + asyncio.run(class_of(url, 2, first=30, cookie="SERVERID=app1"))
    for seen in after:
        assert seen["page"] == seen["socket"] == "app2", seen  # app1's browsers are sent to app2 too
        assert not seen["errors"] and not seen["leaks"] and seen["own"], seen
