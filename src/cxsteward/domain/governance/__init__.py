"""Governance as data: the declared setup (spec), the chain rules and the evidence rules."""
