"""Authentication primitives: passwords (argon2id), tokens (JWT), the Fernet token store."""
