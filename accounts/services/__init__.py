"""Writes of the accounts app: password reset (the accounts' tables are Django's and review's own)."""
