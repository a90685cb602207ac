"""The interaction-data engine: reading exports, applying mappings, computing over the store.

Computes, never persists: the services write what it produces.
"""
