"""The configuration file: validation messages name the key, ${ENV} works, secrets never print."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ledgerlink.config import ConfigError, load_config, parse_config, parse_every
from ledgerlink.sandbox.init_config import sandbox_config, sandbox_config_yaml


def test_the_sandbox_config_is_valid() -> None:
    config = parse_config(sandbox_config())
    assert config.flows[0].name == "orders:woo->netsuite"
    assert config.flows[0].interval_seconds == 60


def test_environment_references_are_expanded(monkeypatch: pytest.MonkeyPatch) -> None:
    data = sandbox_config()
    data["connections"]["netsuite"]["token_secret"] = "${NS_TOKEN_SECRET}"
    monkeypatch.setenv("NS_TOKEN_SECRET", "s3cr3t-value")
    config = parse_config(data)
    secret = config.connections["netsuite"].token_secret  # type: ignore[union-attr]
    assert secret.get_secret_value() == "s3cr3t-value"
    assert "s3cr3t-value" not in repr(config) and "s3cr3t-value" not in str(config.connections)


def test_a_missing_environment_variable_names_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    data = sandbox_config()
    data["connections"]["woo"]["consumer_secret"] = "${WOO_SECRET_NOT_SET}"
    monkeypatch.delenv("WOO_SECRET_NOT_SET", raising=False)
    with pytest.raises(ConfigError, match=r"connections\.woo\.consumer_secret.*WOO_SECRET_NOT_SET"):
        parse_config(data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["connections"]["netsuite"].pop("token_id"),
            r"connections\.netsuite\.netsuite\.token_id",
        ),
        (lambda d: d["connections"]["woo"].update(base_url="shop.example"), r"base_url.*http"),
        (lambda d: d["flows"][0].update(to="nowhere"), r"flows\.0\.to: no connection named 'nowhere'"),
        (lambda d: d["flows"][0].update(schedule="hourly"), r"schedule must look like"),
        (lambda d: d.update(colour="blue"), r"colour"),
        (
            lambda d: d["flows"][0]["mapping"].update(limits={"max_line_quantity": 0}),
            r"flows\.0\.mapping\.limits\.max_line_quantity: Input should be greater than 0",
        ),
        (
            lambda d: d["flows"][0]["mapping"].update(limits={"by_currency": {"JPY": {"max_total": 1}}}),
            r"flows\.0\.mapping\.limits\.by_currency\.JPY\.max_total",
        ),
    ],
)
def test_errors_name_the_bad_key(change: object, message: str) -> None:
    data = sandbox_config()
    change(data)  # type: ignore[operator]
    with pytest.raises(ConfigError, match=message):
        parse_config(data)


def test_load_config_reads_the_written_file(tmp_path: Path) -> None:
    path = tmp_path / "ledgerlink.yaml"
    path.write_text(sandbox_config_yaml())
    assert load_config(path).connections["woo"].type == "woocommerce"
    assert yaml.safe_load(path.read_text())["flows"][0]["from"] == "woo"


def test_a_missing_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ledgerlink init --sandbox"):
        load_config(tmp_path / "absent.yaml")


def test_schedules() -> None:
    assert parse_every("every 30s") == 30
    assert parse_every("every 2h") == 7200
    with pytest.raises(ValueError, match="every"):
        parse_every("30s")


def test_netsuite_host_is_derived_from_the_account() -> None:
    data = sandbox_config()
    del data["connections"]["netsuite"]["base_url"]
    config = parse_config(data)
    assert config.connections["netsuite"].url == "https://1234567-sb1.suitetalk.api.netsuite.com"  # type: ignore[union-attr]


def test_routes_override_the_mapping_for_matching_orders_first_match_wins() -> None:
    from ledgerlink.config import OrderMapping

    mapping = OrderMapping.model_validate(
        {
            "subsidiary": "1",
            "location": "1",
            "department": "7",
            "routes": [
                {"when": {"currency": "EUR", "store": "eu"}, "subsidiary": "2", "location": "3"},
                {"when": {"currency": "eur"}, "subsidiary": "2"},
                {"when": {"store": "outlet"}, "location": "2", "class": "9"},
            ],
        }
    )
    eu_store = mapping.routed(currency="EUR", store="eu")
    assert (eu_store.subsidiary, eu_store.location, eu_store.department) == ("2", "3", "7")
    other_eur = mapping.routed(currency="EUR", store="de")
    assert (other_eur.subsidiary, other_eur.location) == ("2", "1")
    outlet = mapping.routed(currency="USD", store="outlet")
    assert (outlet.subsidiary, outlet.location, outlet.class_) == ("1", "2", "9")
    assert mapping.routed(currency="USD") is mapping


def test_a_route_without_a_condition_is_an_error_naming_it() -> None:
    data = sandbox_config()
    data["flows"][0]["mapping"]["routes"] = [{"subsidiary": "2"}]
    with pytest.raises(ConfigError, match=r"flows\.0\.mapping\.routes\.0\.when"):
        parse_config(data)
