"""Each rule validates its own table: a typo fails start-up with one line naming it."""

from __future__ import annotations

import pytest

from jarvis.checks import check_settings
from jarvis.proactive.rules import RULES, configured
from jarvis.settings import SettingsError, load_settings


def test_rule_tables_are_validated_by_their_own_models() -> None:
    settings = load_settings({}, proactive={"rules": {"service_down": {"minutes": 2}, "runway_low": {"months": 9}}})
    effective = configured(settings.proactive.rules)
    assert effective["service_down"].minutes == 2  # type: ignore[attr-defined]
    assert effective["runway_low"].months == 9  # type: ignore[attr-defined]
    assert set(effective) == set(RULES)


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"service_down": {"minuts": 2}}, "rule `service_down`: `minuts` is not a known setting"),
        ({"service_dwn": {}}, "unknown rule `service_dwn`"),
        ({"runway_low": {"months": -1}}, "rule `runway_low`: `months` Input should be greater than 0"),
    ],
)
def test_bad_rule_table_stops_start_up(rules: dict[str, dict[str, object]], message: str) -> None:
    with pytest.raises(SettingsError) as error:
        check_settings(load_settings({}, proactive={"rules": rules}))
    assert "proactive.rules" in str(error.value) and message in str(error.value)


def test_channels_need_their_target() -> None:
    with pytest.raises(SettingsError, match="needs `url_env`"):
        load_settings({}, notifications={"channels": [{"name": "x", "kind": "slack"}]})
    with pytest.raises(SettingsError, match="needs `smtp_host`"):
        load_settings({}, notifications={"channels": [{"name": "m", "kind": "smtp"}]})
    with pytest.raises(SettingsError, match="unique"):
        channel = {"name": "x", "kind": "webhook", "url_env": "X"}
        load_settings({}, notifications={"channels": [channel, channel]})
