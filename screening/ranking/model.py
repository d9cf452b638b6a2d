"""Screening prioritisation: rank unscreened records so that relevant ones come first.

The model and the figures that chose it are described below.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

Features = sp.csr_matrix


def record_text(title: str, abstract: str, keywords: Sequence[str] = ()) -> str:
    """The text the ranker reads for one record: title, abstract and keywords, blank parts left out."""
    parts = [title.strip(), abstract.strip(), "; ".join(k.strip() for k in keywords if k.strip())]
    return "\n".join(p for p in parts if p)


def vectorise(texts: Sequence[str]) -> Features:
    """TF-IDF matrix of all texts (one row per text), computed once per set of records.

    Unlabelled records take part in the vocabulary and document frequencies, so a word seen only in records not
    yet screened still gets a weight once one of them is labelled.
    """
    vectoriser = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, max_df=0.95, dtype=np.float32)
    try:
        return sp.csr_matrix(vectoriser.fit_transform(texts))
    except ValueError:
        # No token at all (empty or punctuation-only texts): nothing to learn from, every score will be equal.
        return sp.csr_matrix((len(texts), 1), dtype=np.float32)


class Ranker:
    """Relevance ranker retrained from the labels screened so far."""

    def __init__(self, *, seed: int = 0) -> None:
        self.seed = seed
        self._features: Features | None = None
        self._texts_key: str | None = None
        self._scores: np.ndarray | None = None

    def fit(self, texts: Sequence[str], labels: Mapping[int, int], *, features: Features | None = None) -> Ranker:
        """Learn from ``labels`` (index in ``texts`` -> 1 relevant / 0 irrelevant).

        ``features`` may be the precomputed :func:`vectorise` matrix of ``texts``; otherwise the matrix is
        computed here and kept for the next fit on the same texts.
        """
        n = len(texts)
        _check_labels(labels, n)
        matrix = self._matrix(texts, features)
        rng = np.random.default_rng(self.seed)
        classes = set(labels.values())
        if classes != {0, 1}:
            # Nothing to contrast yet: a reproducible random order is the honest ranking.
            self._scores = rng.random(n)
            return self
        self._scores = _svm_scores(matrix, labels, self.seed)
        return self

    def scores(self) -> np.ndarray:
        """Relevance score in [0, 1] for every text (labelled ones included), higher is more likely relevant."""
        if self._scores is None:
            raise RuntimeError("call fit() before scores()")
        return self._scores

    def _matrix(self, texts: Sequence[str], features: Features | None) -> Features:
        n = len(texts)
        if features is not None:
            if features.shape[0] != n:
                raise ValueError(f"features has {features.shape[0]} rows for {n} texts")
            return features
        key = _texts_key(texts)
        if self._features is None or key != self._texts_key:
            self._features = vectorise(texts)
            self._texts_key = key
        return self._features


def rank_order(texts: Sequence[str], labels: Mapping[int, int], *, seed: int = 0) -> list[int]:
    """Indices of the unlabelled texts, most likely relevant first.

    Until at least one relevant and one irrelevant label exist the order is random, reproducible with ``seed``.
    """
    scores = Ranker(seed=seed).fit(texts, labels).scores()
    unlabelled = np.array([i for i in range(len(texts)) if i not in labels], dtype=int)
    return [int(i) for i in unlabelled[np.argsort(-scores[unlabelled], kind="stable")]]


def _svm_scores(matrix: Features, labels: Mapping[int, int], seed: int) -> np.ndarray:
    idx = np.fromiter(labels.keys(), dtype=int, count=len(labels))
    y = np.fromiter(labels.values(), dtype=int, count=len(labels))
    clf = LinearSVC(C=0.11, random_state=seed)
    clf.fit(matrix[idx], y)
    margin = clf.decision_function(matrix)
    return 1.0 / (1.0 + np.exp(-margin))


def _check_labels(labels: Mapping[int, int], n: int) -> None:
    for index, label in labels.items():
        if not 0 <= index < n:
            raise ValueError(f"label for record index {index}, but there are {n} texts")
        if label not in (0, 1):
            raise ValueError(f"label for record index {index} must be 0 or 1, got {label!r}")


def _texts_key(texts: Sequence[str]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()
