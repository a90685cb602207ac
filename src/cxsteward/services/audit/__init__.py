"""The audit log (C7): entries, verification and the registry as the log says it should be."""
