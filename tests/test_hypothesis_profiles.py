"""Property tests run on a fixed set of examples in CI, and on fresh ones elsewhere."""

import os
import subprocess
import sys

import pytest
from hypothesis import settings

from .live_http import ROOT


def header_with(**env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k not in ("CI", "HYPOTHESIS_PROFILE")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "tests/test_scoring.py"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.parametrize(
    ("env", "profile"),
    [
        ({}, "dev"),
        ({"CI": "true"}, "ci"),
        ({"HYPOTHESIS_PROFILE": "deep"}, "deep"),
        ({"CI": "true", "HYPOTHESIS_PROFILE": "dev"}, "dev"),
    ],
)
def test_the_active_hypothesis_profile_is_chosen_from_the_environment(env, profile):
    assert f"hypothesis profile: {profile}\n" in header_with(**env)


def test_ci_profile_is_derandomized_and_deep_explores_more():
    ci, dev, deep = (settings.get_profile(name) for name in ("ci", "dev", "deep"))
    assert ci.derandomize and ci.database is None and ci.deadline is None
    assert not dev.derandomize and not deep.derandomize
    assert ci.max_examples >= dev.max_examples >= 100
    assert deep.max_examples >= 10 * ci.max_examples
