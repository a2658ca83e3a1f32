"""The orders flow module never asks which store platform it talks to."""

from __future__ import annotations

import ast
from pathlib import Path

import ledgerlink.flows.orders as orders_flow

PLATFORMS = ("woocommerce", "woo", "magento", "commercetools", "shopify")


def _tree() -> ast.Module:
    return ast.parse(Path(orders_flow.__file__).read_text())


def test_the_flow_imports_no_platform_connector() -> None:
    imported = set()
    for node in ast.walk(_tree()):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    store_side = {m for m in imported if m.startswith("ledgerlink.connectors.") and "netsuite" not in m}
    assert store_side <= {"ledgerlink.connectors.store"}, store_side


def test_the_flow_names_no_platform_and_checks_no_connector_type() -> None:
    for node in ast.walk(_tree()):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            words = node.value.lower().replace("-", " ").replace("_", " ").split()
            assert not set(words) & set(PLATFORMS), f"platform named in the flow: {node.value!r}"
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id
            in (
                "isinstance",
                "type",
            )
        ):
            raise AssertionError(f"the flow inspects a type at line {node.lineno}")
        if isinstance(node, ast.Attribute) and node.attr in ("type", "connection", "__class__"):
            raise AssertionError(f"the flow reads .{node.attr} at line {node.lineno}")
        if isinstance(node, ast.Name):
            assert node.id.lower() not in PLATFORMS, f"platform named in the flow: {node.id}"
