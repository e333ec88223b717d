"""SECRET_KEY_FILE as a deployment uses it: a real gunicorn without SECRET_KEY in its
environment signs sessions with the key from the file, and refuses to start without one."""

import sys
from pathlib import Path

from .live_http import Browser, Server, app_env, free_port, manage

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
SETUP = """
from django.contrib.auth.models import Group, User
user = User.objects.create_user("ana", password="right-password-1")
user.groups.add(Group.objects.get(name="analyst"))
"""


def _server(folder: Path, env: dict[str, str]) -> Server:
    port = free_port()
    command = [GUNICORN, "assessment.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
               "--no-control-socket"]  # fmt: skip
    return Server(command, env, port, folder / "gunicorn.log")


def _env_without_key(folder: Path, key_file: Path) -> dict[str, str]:
    env = app_env(folder / "db.sqlite3", SECRET_KEY_FILE=str(key_file))
    del env["SECRET_KEY"]
    return env


def test_a_server_without_secret_key_signs_sessions_with_the_key_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("key-from-the-file-" + "q" * 40 + "\n")
    env = _env_without_key(tmp_path, key_file)
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "--verbosity", "0", "-c", SETUP)
    running = _server(tmp_path, env)
    try:
        running.wait_until_serving()
        browser = Browser(running.url)
        assert browser.login("ana", "right-password-1").status == 302
        assert browser.request("/").status == 200  # the signed session is accepted
        # The session was signed with the file's key: another key does not read it.
        key_file.write_text("another-key-" + "r" * 40 + "\n")
        running.stop()
        running = _server(tmp_path, env)
        running.wait_until_serving()
        browser.base_url = running.url
        assert browser.request("/").status == 302  # back to the login page
    finally:
        running.stop()


def test_a_server_without_any_key_refuses_to_start(tmp_path):
    env = _env_without_key(tmp_path, tmp_path / "absent")
    running = _server(tmp_path, env)
    try:
        assert running.process.wait(timeout=90) != 0  # the worker cannot boot: gunicorn halts
        assert "SECRET_KEY must be set when DEBUG is off" in running.output()
    finally:
        running.stop()
