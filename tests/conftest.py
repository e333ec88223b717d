"""Shared fixtures: the default bank, three users of a team plus a reviewer and an admin."""

import os

import hypothesis
import pytest

from assessment.roles import ADMIN, ANALYST, REVIEWER
from frameworks.selectors import default_bank
from frameworks.services import framework_import

from .browser import ARGS, ARTIFACTS, CHROMIUM, DESKTOP
from .factories import (
    AssessmentFactory,
    PartnershipFactory,
    TeamFactory,
    UserFactory,
    small_bank_data,
)

# Property tests. CI must not depend on luck: there the examples are derived from
# each test's code, so a run fails only when the code or the tests change. `dev`
# tries new random examples on every run (and replays failures from .hypothesis/);
# `deep` (make test-deep) tries many more. HYPOTHESIS_PROFILE chooses; otherwise
# `ci` when CI is set (CI sets CI=true), else `dev`.
# Each names its parent: the one in force now is Hypothesis's own `ci` when CI is set.
# Timing is luck too: no deadline, and no health check for slow data generation in CI.
_DEFAULT = hypothesis.settings.get_profile("default")
hypothesis.settings.register_profile(
    "ci", _DEFAULT, derandomize=True, database=None, max_examples=300, deadline=None,
    print_blob=True, suppress_health_check=[hypothesis.HealthCheck.too_slow],
)  # fmt: skip
hypothesis.settings.register_profile("dev", _DEFAULT, max_examples=150, deadline=None)
hypothesis.settings.register_profile("deep", _DEFAULT, max_examples=5000, deadline=None)
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or (
    "ci" if os.environ.get("CI", "").lower() not in ("", "0", "false") else "dev"
)
hypothesis.settings.load_profile(HYPOTHESIS_PROFILE)


def pytest_report_header(config):
    return f"hypothesis profile: {HYPOTHESIS_PROFILE}"


@pytest.fixture
def bank(db):
    """Version 1 of the default question bank, published (tests rely on its codes)."""
    path, data = default_bank(version=1)
    return framework_import(data=data, source=str(path), publish=True)


@pytest.fixture
def small_bank(db):
    return framework_import(data=small_bank_data(), source="test", publish=True)


@pytest.fixture
def team(db):
    return TeamFactory(name="Team A")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Team B")


@pytest.fixture
def owner(team):
    user = UserFactory(username="owner", role=ANALYST)
    team.members.add(user)
    return user


@pytest.fixture
def teammate(team):
    user = UserFactory(username="teammate", role=ANALYST)
    team.members.add(user)
    return user


@pytest.fixture
def outsider(other_team):
    user = UserFactory(username="outsider", role=ANALYST)
    other_team.members.add(user)
    return user


@pytest.fixture
def reviewer(team):
    user = UserFactory(username="reviewer", role=REVIEWER)
    team.members.add(user)
    return user


@pytest.fixture
def admin_user(db):
    user = UserFactory(username="boss", role=ADMIN, is_superuser=True, is_staff=True)
    return user


@pytest.fixture
def users(owner, teammate, outsider, reviewer, admin_user):
    return {
        "owner": owner,
        "teammate": teammate,
        "outsider": outsider,
        "reviewer": reviewer,
        "admin": admin_user,
    }


@pytest.fixture
def partnership(team, owner):
    return PartnershipFactory(name="Sahel Partnership", team=team, created_by=owner)


@pytest.fixture
def assessment(partnership, owner, bank):
    return AssessmentFactory(partnership=partnership, owner=owner, framework=bank)


# Browser tests: Debian's Chromium driven by Playwright against a live server.
@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # tests make around it are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run `make setup` (it installs it).")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page_for(browser, live_server):
    contexts = []

    def open_as(username: str, password: str = "pw", *, viewport: dict = DESKTOP, **options):
        context = browser.new_context(viewport=viewport, accept_downloads=True, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield open_as
    for context in contexts:
        context.close()


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL; runs in CI's PostgreSQL pass")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
