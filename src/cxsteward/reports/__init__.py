"""Renderers that turn an assessment report into Markdown, HTML and JSON."""
