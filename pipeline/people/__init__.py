"""Accounts: the account holder's side (passwords, logging in with lockout and throttling, changing
one's own password) and user administration with its audit trail."""
