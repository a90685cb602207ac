"""AI-literacy training (EU AI Act Art. 4): modules, completions and coverage."""
