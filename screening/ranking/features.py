"""The ranker's TF-IDF features of a stage's records, kept on disk.

Computing them takes seconds for 10,000 records against well under a second for a retraining, so the matrix is
built once per review, stage and set of record ids and kept on disk under MEDIA_ROOT/ranking/ (an .npz with a
digest of the record ids it was built for). Workers read it back in milliseconds; a changed set of records (an
import, a deduplication) makes a new one. A record's text is assumed not to change once imported: edits to a
title or abstract reach the ranker at the next change of the set.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from django.conf import settings

from review.models import Record, Review

if TYPE_CHECKING:
    from screening.ranking.model import Features

logger = logging.getLogger(__name__)

FEATURES_FORMAT = "2"  # bump when vectorise() changes, so that stored matrices are rebuilt


def features_path(review: Review, stage: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "ranking" / f"review-{review.pk}" / f"{stage}.npz"


def _ids_key(record_ids: Sequence[int]) -> str:
    digest = hashlib.blake2b(f"{FEATURES_FORMAT}:".encode(), digest_size=16)
    digest.update(np.asarray(record_ids, dtype=np.int64).tobytes())
    return digest.hexdigest()


def stage_features(*, review: Review, stage: str, record_ids: Sequence[int]) -> Features:
    """The TF-IDF matrix of the records (rows in the order of `record_ids`), from disk when built before for
    exactly these records, otherwise built from their title, abstract and keywords and stored."""
    import scipy.sparse as sp

    from screening.ranking.model import vectorise

    path = features_path(review, stage)
    key = _ids_key(record_ids)
    if path.is_file():
        try:
            with np.load(path, allow_pickle=False) as stored:
                if str(stored["key"]) == key:
                    shape = tuple(int(n) for n in stored["shape"])
                    return sp.csr_matrix((stored["data"], stored["indices"], stored["indptr"]), shape=shape)
        except (OSError, ValueError, KeyError) as error:
            # A truncated or foreign file is only a lost cache: rebuild it.
            logger.warning("rebuilding ranking features %s: %s", path, error)
    texts = record_texts(record_ids=record_ids)
    matrix = vectorise(texts)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.{os.getpid()}.npz")
    # Uncompressed: reading back must take a fraction of the fit's time, and disk is cheaper than CPU here.
    np.savez(
        partial,
        key=np.array(key),
        shape=np.array(matrix.shape),
        data=matrix.data,
        indices=matrix.indices,
        indptr=matrix.indptr,
    )
    # Readers (another worker) see either the old file or the new one, never half of one.
    os.replace(partial, path)
    return matrix


def record_texts(*, record_ids: Sequence[int]) -> list[str]:
    """The ranker's text of each record, in the order of `record_ids`."""
    from screening.ranking.model import record_text

    found: dict[int, str] = {}
    for start in range(0, len(record_ids), 2000):
        chunk = record_ids[start : start + 2000]
        for pk, title, abstract, keywords in Record.objects.filter(pk__in=chunk).values_list(
            "pk", "title", "abstract", "keywords"
        ):
            words = [str(k) for k in keywords] if isinstance(keywords, list) else []
            found[pk] = record_text(title or "", abstract or "", words)
    return [found.get(pk, "") for pk in record_ids]
