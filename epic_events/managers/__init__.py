"""Data access: queries over a Session. Managers never commit and never decide permissions."""
