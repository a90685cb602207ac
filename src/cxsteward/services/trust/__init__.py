"""Customers' trust pathways (C8): human review requests and plain-language explanations."""
