"""Frontline staff (C9): feedback flags, triage and what was done about them."""
