"""Login lockouts key on the address our reverse proxy reports, over real HTTP.

gunicorn runs the app in a subprocess as the proxy would reach it: every request
comes from 127.0.0.1 and carries the X-Forwarded-For header the proxy built
(whatever the client sent, then the client's address appended).
"""

import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from .live_http import Browser, Server, app_env, free_port, manage

LIMIT = 3
A, B, C = "198.51.100.7", "198.51.100.8", "198.51.100.9"  # documentation addresses


@pytest.fixture(scope="module")
def migrated_db(tmp_path_factory) -> Path:
    database = tmp_path_factory.mktemp("lockout") / "template.sqlite3"
    env = app_env(database)
    manage(env, "migrate", "--noinput")
    manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth.models import User;"
        "User.objects.create_user('alice', password='right-password-1')",
    )
    return database


@pytest.fixture
def serve(migrated_db, tmp_path):
    servers = []

    def start(proxy_count: int) -> tuple[Server, Path]:
        database = tmp_path / f"db-{proxy_count}.sqlite3"
        shutil.copy(migrated_db, database)
        env = app_env(database, PROXY_COUNT=str(proxy_count), LOGIN_FAILURE_LIMIT=str(LIMIT))
        port = free_port()
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        server = Server(
            [
                gunicorn,
                "assessment.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--no-control-socket",
            ],
            env,
            port,
            tmp_path / f"gunicorn-{proxy_count}.log",
        )
        servers.append(server)
        server.wait_until_serving()
        return server, database

    yield start
    for server in servers:
        server.stop()


def client(server: Server, forwarded_for: str) -> Browser:
    return Browser(server.url, {"X-Forwarded-For": forwarded_for})


def recorded_addresses(database: Path) -> set[str]:
    with sqlite3.connect(database) as conn:
        return {row[0] for row in conn.execute("SELECT ip_address FROM axes_accessattempt")}


def test_behind_one_proxy_lockout_follows_the_address_the_proxy_appended(serve):
    server, database = serve(1)
    for _ in range(LIMIT - 1):
        assert client(server, A).login("alice", "wrong").status == 200
    assert client(server, A).login("alice", "wrong").status == 429
    assert client(server, A).login("alice", "right-password-1").status == 429
    # A prepends B's address: the proxy still appends A's, so it is still A.
    assert client(server, f"{B}, {A}").login("alice", "right-password-1").status == 429
    # B, behind the same proxy, is not locked out by A's failures.
    assert client(server, B).login("alice", "right-password-1").status == 302
    # C claiming to be A is C: not locked out either.
    assert client(server, f"{A}, {C}").login("alice", "right-password-1").status == 302
    assert recorded_addresses(database) == {A}


def test_without_a_proxy_the_forwarded_header_is_ignored(serve):
    server, database = serve(0)
    for _ in range(LIMIT - 1):
        assert client(server, A).login("alice", "wrong").status == 200
    assert client(server, A).login("alice", "wrong").status == 429
    # Anyone can send X-Forwarded-For to a server with no proxy in front: ignored.
    assert client(server, B).login("alice", "right-password-1").status == 429
    assert client(server, f"{A}, {B}").login("alice", "right-password-1").status == 429
    assert recorded_addresses(database) == {"127.0.0.1"}
