"""Incidents (C7): opened from findings or by hand, routed, notified, communicated."""
