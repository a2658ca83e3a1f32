"""Connectors: one package per system. A connector knows its system's contract and nothing of flows."""
