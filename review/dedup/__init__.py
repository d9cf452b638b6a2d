"""Pure deduplication engine: normalise, block, compare, cluster (no database, no Django).

    from review.dedup import DedupRecord, PairDecision, deduplicate
    result = deduplicate(records, decisions=decisions, locked=screened_ids)

- normalise.py / prepare.py: DOIs, titles, authors, journals, pages, years into comparable forms, once per record.
- blocking.py: candidate pairs from several keys (DOI, PMID, rare title words, sorted title neighbourhoods
  forwards and reversed, first author + year, venue + volume + page), so a typo or a missing field in one key
  does not hide a duplicate; large blocks are windowed, keeping comparisons roughly linear.
- compare.py: rapidfuzz similarities and agreements per field (the comparison features).
- scoring.py: a calibrated logistic score over those features (weights.py, learnt by train.py from the labelled
  sets) and barriers (two DOIs, two page ranges, ...) -> duplicate / possible / distinct; docs/dedup.md.
- cluster.py: complete linkage: two groups merge only if every cross pair is compatible, so a sparse record
  cannot chain two different works together; a person's same=False is never crossed, and a group holds at
  most one locked (already screened) record, which is always the one kept.
- engine.py: deduplicate(); parallel.py: pair comparison in two forked processes for large runs.
- io.py, cli.py: reading CSV/RIS/... into records and dedupe_file() for `manage.py dedupe_file`.
"""

from review.dedup.engine import deduplicate
from review.dedup.model import DedupRecord, DedupResult, PairDecision, ScoredPair

__all__ = ["DedupRecord", "DedupResult", "PairDecision", "ScoredPair", "deduplicate"]
