"""The regulatory crosswalk (C13): clauses, the controls that serve them, and their status."""
