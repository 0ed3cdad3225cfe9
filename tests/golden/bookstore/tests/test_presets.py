"""ENVIRONMENT picks the defaults, and any setting given overrides them."""

import pytest

from app.core.config import PRESETS, Settings


@pytest.mark.parametrize("environment", ["development", "production", "high-traffic"])
def test_an_environment_takes_its_preset(environment: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", environment)
    monkeypatch.setenv("CURSOR_SECRET", "secret")
    settings = Settings()
    assert settings.model_dump(include=set(PRESETS[environment])) == PRESETS[environment]


def test_a_setting_given_overrides_its_preset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "high-traffic")
    monkeypatch.setenv("CURSOR_SECRET", "secret")
    monkeypatch.setenv("POOL_SIZE", "7")
    settings = Settings()
    assert (settings.pool_size, settings.max_overflow) == (
        7,
        PRESETS["high-traffic"]["max_overflow"],
    )


def test_test_takes_the_development_preset() -> None:
    assert Settings(environment="test").pool_size == PRESETS["development"]["pool_size"]
