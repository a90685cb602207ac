"""Monitoring (C5, C6): baselines, thresholds, metrics, runs and the rows behind a finding."""
