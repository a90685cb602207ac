"""One typed function per user action; the only place that combines engine and registry."""
