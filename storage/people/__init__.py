"""People: user accounts (bcrypt hashes, roles, login state) and the audit trail of who changed
what and when."""
