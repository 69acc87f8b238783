"""Hypothesis in CI replays fixed examples; on a developer's machine it explores."""

from hypothesis import settings

from .conftest import hypothesis_profile


def test_ci_loads_a_profile_that_replays_the_same_examples_every_run():
    assert hypothesis_profile({"CI": "true"}) == "ci"
    ci = settings.get_profile("ci")
    assert ci.derandomize is True
    assert ci.database is None
    assert ci.print_blob is True


def test_a_developer_machine_keeps_the_default_profile():
    assert hypothesis_profile({}) == "default"
    assert settings.get_profile("default").derandomize is False
