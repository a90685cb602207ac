"""cxsteward: readiness, governance and monitoring for customer-facing AI."""

from __future__ import annotations

__version__ = "0.10.0"
