"""`make run`, as a new user runs it, over real HTTP on a free port and a throwaway database."""

import os
import re
import stat
import subprocess

from .live_http import ROOT, Browser, Server, free_port

# Nothing from the test run may leak into what a user's `make run` gets.
CLEAN_ENV = {
    name: value
    for name, value in os.environ.items()
    if not name.startswith(("PYTEST_", "DJANGO_", "MAKE", "MFLAGS"))
    and name
    not in {"DEBUG", "SECRET_KEY", "SECURE_COOKIES", "ALLOWED_HOSTS", "DATABASE_URL", "HOST"}
}


def test_make_run_serves_the_app_with_debug_off_over_plain_http(tmp_path):
    port = free_port()
    env = {
        **CLEAN_ENV,
        "HOST": f"127.0.0.1:{port}",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    server = Server(["make", "--no-print-directory", "run"], env, port, tmp_path / "run.log")
    try:
        server.wait_until_serving(timeout=300)
        output = server.output()
        assert f"http://127.0.0.1:{port}/" in output
        assert ":8000" not in output
        password = re.search(r"password: (\S+)", output).group(1)

        anonymous = Browser(server.url)
        missing = anonymous.request("/no-such-page/")
        assert missing.status == 404
        assert "There is nothing here" in missing.text  # the app's own 404 page
        assert "URLconf" not in missing.text and "DEBUG = True" not in missing.text

        for path in ["/static/css/app.css", "/static/bootstrap/css/bootstrap.min.css"]:
            css = anonymous.request(path)
            assert css.status == 200, path
            assert css.headers["Content-Type"].startswith("text/css"), path
            assert b"{" in css.body, path

        user = Browser(server.url)
        response = user.login("admin", password)
        assert response.status == 302, response.text[:1000]
        session = user.cookie("sessionid")
        assert session is not None and not session.secure
        assert user.request("/").status == 200
    finally:
        server.stop()

    key = ROOT / "var" / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(key.read_text().strip()) >= 50
    ignored = subprocess.run(["git", "check-ignore", "-q", str(key)], cwd=ROOT)
    assert ignored.returncode == 0, "var/secret_key must never be committed"
