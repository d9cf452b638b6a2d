"""Writes of the screening app, split by subject: votes, queue, conflicts, full texts, configuration."""
