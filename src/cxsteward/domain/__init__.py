"""Pure rules: no I/O, no database, no web or CLI frameworks."""
