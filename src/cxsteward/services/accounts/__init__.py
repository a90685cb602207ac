"""Who signs in: users, sessions, API tokens and the shared rate limits."""
