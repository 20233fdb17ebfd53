"""Accounts: users and their roles, login sessions, API tokens with scopes, and the audit log."""
