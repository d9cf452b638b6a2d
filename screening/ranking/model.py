"""Screening prioritisation: rank unscreened records so that relevant ones come first.

Model: TF-IDF word 1-2-grams (sublinear tf, max_df 0.95, title counted twice) of all records, computed once per
set; at each retraining a linear SVM on the screened records, relevant labels weighing RankerConfig's
relevant_weight_ratio times the irrelevant ones in total; highest score first. Before one relevant and one
irrelevant label exist the order is random with the seed. The simulation (and the benchmark) retrain on the
schedule of :func:`retrain_batch`; the app retrains after include votes and every few votes.

How DEFAULT was chosen: by leave-one-set-out over the developers' seven labelled sets (bench/prioritisation.py
prints, per set, the figure of the candidate chosen without that set beside the in-sample one and ASReview's;
docs/prioritisation.md has the table). The candidates are ASReview's weighting (ratio 9.8, C 0.11), the same
with weaker regularisation (C 0.3, 0.5) and stronger relevant weights (15, 20, 30). The old model also taught 90
random unscreened records as irrelevant at every retraining (ratio 30): best on four of the seven sets, it lost
0.09 on Meijboom_2021 (882 records, one included record without an abstract found late) and, on the eleven
unseen sets of issue #18, lost most on small reviews (under 300 records: 0.36 against ASReview's 0.74), where 90
sampled records are a third of the review and hold many of its relevant ones. It is kept as a reference row in
the benchmark, never chosen. Char n-grams beside the words (an ensemble of two views) were tried on the seven
sets and lost on four (Kitchenham -0.03, Nagtegaal -0.04, Chou -0.04, Meijboom -0.04 against ASReview) at
three times the CPU.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

# A scipy sparse CSR matrix, one row per text (scipy ships no type information).
Features: TypeAlias = sp.csr_matrix


@dataclass(frozen=True, slots=True)
class RankerConfig:
    """The choices the leave-one-set-out benchmark compares (bench/prioritisation.py); DEFAULT is the one chosen."""

    relevant_weight_ratio: float = 30.0  # relevant labels weigh this many times the irrelevant ones in total
    pseudo_negatives: int = 90  # at most this many random unscreened records treated as irrelevant per retraining
    pseudo_share: float = 1.0  # ... and at most this share of the unscreened records (small reviews get fewer)
    pseudo_weight: float = 1 / 3  # their weight beside a screened irrelevant record
    c: float = 0.11  # SVM regularisation, as ASReview's default


DEFAULT = RankerConfig(relevant_weight_ratio=20, pseudo_negatives=0, c=0.3)  # see the module docstring
MAX_IRRELEVANT = 4_000  # irrelevant labels kept for one retraining (a random sample beyond this)
RETRAIN_GROWTH = 100  # the retraining batch grows by one record per this many labels (see retrain_batch)


def retrain_batch(n_labelled: int) -> int:
    """Records to screen between two retrainings: one until 100 labels, then one more per 100 labels.

    Early labels move the ranking most; later ones little, and a batch that grows with the labels keeps the
    number of retrainings of a large review near 100 * ln(N / 100) instead of N. In the simulations this moved
    WSS@95 by less than 0.005 on every developer set against retraining after every label.
    """
    return 1 + n_labelled // RETRAIN_GROWTH


def record_text(title: str, abstract: str, keywords: Sequence[str] = ()) -> str:
    """The text the ranker reads for one record: title on the first line, then abstract, then keywords.

    Line breaks inside a field become spaces, so the first line is always the title (it is weighted apart).
    """
    keyword_line = "; ".join(" ".join(k.split()) for k in keywords if k.strip())
    lines = [" ".join(title.split()), " ".join(abstract.split()), keyword_line]
    return "\n".join(lines).rstrip("\n")


def vectorise(texts: Sequence[str]) -> Features:
    """TF-IDF matrix of all texts (one row per text), computed once per set of records.

    Word 1-2-grams with sublinear tf; the title (first line of the text) is counted twice, since a title states
    the topic more densely than the abstract. Unscreened records take part in the vocabulary and document
    frequencies, so a word seen only in records not yet screened still gets a weight once one of them is
    labelled.
    """
    doubled = [f"{text.split(chr(10), 1)[0]}\n{text}" for text in texts]
    vectoriser = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, max_df=0.95, dtype=np.float64)
    try:
        return sp.csr_matrix(vectoriser.fit_transform(doubled))
    except ValueError:
        # No token at all (empty or punctuation-only texts): nothing to learn from, every score will be equal.
        return sp.csr_matrix((len(texts), 1), dtype=np.float64)


class Ranker:
    """Relevance ranker retrained from the labels screened so far."""

    def __init__(self, *, seed: int = 0, config: RankerConfig = DEFAULT) -> None:
        self.seed = seed
        self.config = config
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
        self._scores = _svm_scores(matrix, labels, self.seed, self.config)
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


def rank_order(
    texts: Sequence[str],
    labels: Mapping[int, int],
    *,
    seed: int = 0,
    features: Features | None = None,
    config: RankerConfig = DEFAULT,
) -> list[int]:
    """Indices of the unlabelled texts, most likely relevant first.

    Until at least one relevant and one irrelevant label exist the order is random, reproducible with ``seed``.
    Computing the TF-IDF matrix is the slow part (seconds for 10,000 records, against well under a second for
    the fit): a caller that ranks the same records again should keep :func:`vectorise`'s matrix and pass it.
    """
    scores = Ranker(seed=seed, config=config).fit(texts, labels, features=features).scores()
    unlabelled = np.array([i for i in range(len(texts)) if i not in labels], dtype=int)
    return [int(i) for i in unlabelled[np.argsort(-scores[unlabelled], kind="stable")]]


def _svm_scores(matrix: Features, labels: Mapping[int, int], seed: int, config: RankerConfig) -> np.ndarray:
    """Linear SVM margins squashed into [0, 1].

    Besides the screened records, PSEUDO_NEGATIVES random unscreened ones are taught as (weakly) irrelevant: most
    unscreened records are irrelevant, and this keeps words that merely are common in the set (shared by the
    few relevant records known early on) from dominating the ranking.
    """
    n = matrix.shape[0]
    # A different draw at every retraining, yet reproducible from the seed and the labels.
    rng = np.random.default_rng([seed, len(labels)])
    idx = np.fromiter(labels.keys(), dtype=np.int64, count=len(labels))
    y = np.fromiter(labels.values(), dtype=np.int64, count=len(labels))
    irrelevant = idx[y == 0]
    if len(irrelevant) > MAX_IRRELEVANT:
        # Past a few thousand irrelevant labels, more of them barely move the ranking but cost fit time.
        keep = rng.choice(irrelevant, MAX_IRRELEVANT, replace=False)
        idx = np.concatenate([idx[y == 1], keep])
        y = np.concatenate([np.ones(int((y == 1).sum()), dtype=np.int64), np.zeros(len(keep), dtype=np.int64)])
    unscreened = np.ones(n, dtype=bool)
    unscreened[np.fromiter(labels.keys(), dtype=np.int64, count=len(labels))] = False
    candidates = np.flatnonzero(unscreened)
    n_pseudo = min(config.pseudo_negatives, int(config.pseudo_share * len(candidates)))
    pseudo = rng.choice(candidates, n_pseudo, replace=False)
    rows = np.concatenate([idx, pseudo])
    target = np.concatenate([y, np.zeros(len(pseudo), dtype=np.int64)])
    clf = LinearSVC(C=config.c, random_state=seed)
    weights = _balanced_weights(target, config.relevant_weight_ratio)
    weights[len(y) :] *= config.pseudo_weight
    clf.fit(matrix[rows], target, sample_weight=weights)
    return np.asarray(expit(clf.decision_function(matrix)))


def _balanced_weights(target: np.ndarray, ratio: float) -> np.ndarray:
    """Weights under which relevant records count ``ratio`` times the irrelevant ones in total.

    Relevant records are a few percent of a set; unweighted, the SVM would rank by "irrelevant-looking" words.
    """
    n_relevant = int(target.sum())
    n_irrelevant = len(target) - n_relevant
    weights = np.where(target == 1, 1.0, n_relevant / (ratio * n_irrelevant))
    return weights * (len(target) / weights.sum())


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
