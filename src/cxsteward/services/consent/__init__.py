"""Customer data-use notices and choices (consent): record, import, check honoured."""
