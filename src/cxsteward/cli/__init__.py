"""The ``cxsteward`` command line: thin commands over the services."""
