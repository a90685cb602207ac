"""Governance as code (C3): the declared setup, its plan and apply, decision rights, committee."""
