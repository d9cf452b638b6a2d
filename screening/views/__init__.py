"""Screening pages, split by screen: screening itself, conflicts, full texts, progress, settings."""
