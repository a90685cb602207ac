"""The committee pack (C10): assembled, issued, compared with the previous one."""
