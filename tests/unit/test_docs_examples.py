"""The examples in docs/configuration.md are valid: a reader who copies them gets a working file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from ledgerlink.config import parse_config
from ledgerlink.sandbox.netsuite.settings import load_settings

DOC = Path(__file__).parents[2] / "docs" / "configuration.md"


def _yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOC.read_text(), flags=re.S)


def test_the_configuration_example_parses(monkeypatch: pytest.MonkeyPatch) -> None:
    example = _yaml_blocks()[0]
    for name in set(re.findall(r"\$\{([A-Z0-9_]+)\}", example)):
        monkeypatch.setenv(name, f"value-of-{name.lower()}")
    config = parse_config(yaml.safe_load(example), source="docs/configuration.md")
    assert {c.type for c in config.connections.values()} == {
        "netsuite",
        "woocommerce",
        "magento",
        "commercetools",
    }
    routed = config.flows[0].mapping.routed(currency="EUR")
    assert (routed.subsidiary, routed.location) == ("2", "3")


def test_the_sandbox_settings_example_loads(tmp_path: Path) -> None:
    path = tmp_path / "netsuite.yaml"
    path.write_text(_yaml_blocks()[1])
    settings = load_settings(path)
    assert settings.concurrency_limit >= 1
    assert {fault.kind for fault in settings.faults} == {"status", "maintenance"}
