"""The demo: a fictional company assessed, governed and monitored end to end."""
