"""Charting pages: the form builder, extraction, studies and consensus, summaries and exports."""
