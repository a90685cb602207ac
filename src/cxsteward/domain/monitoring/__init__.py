"""Monitoring rules: comparisons of AI against humans, baselines and earlier models; findings."""
