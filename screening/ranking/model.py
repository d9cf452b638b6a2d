"""Screening prioritisation: rank unscreened records so that relevant ones come first.

Model: TF-IDF word 1-2-grams (sublinear tf, max_df 0.95, title counted twice) of all records, computed once per
set; at each retraining a linear SVM (C 0.3) on the screened records; highest score first. Before one relevant
and one irrelevant label exist the order is random with the seed. The simulation (and the benchmark) retrain on
the schedule of :func:`retrain_batch`; the app retrains after include votes and every few votes.

Two choices follow the review as screening goes, so that one constant tuned once does not decide for every
review (issue #18: what was tuned on five sets lost on small reviews and reviews with many includes):
- Weighting: relevant labels weigh, in total, as many times the irrelevant ones as the irrelevant outnumber them
  among the records screened so far, at most 30 times. A review with many includes (Nelson_2002, 22%) gets a
  mild weighting; one with few gets the strong weighting that made its few relevant labels count.
- Sampled negatives: while at least 1,000 records are unscreened, 90 random ones are taught as irrelevant at a
  third of a screened record's weight (most unscreened records are irrelevant, and this keeps words merely
  common in the set from ranking first). In a small review 90 records would be a third of it and hold many of
  its relevant ones, which is what lost on issue #18's small unseen reviews; below 1,000 unscreened, none.

How DEFAULT was chosen: by leave-one-set-out over the developers' seven labelled sets (bench/prioritisation.py
prints, per set, the figure of the candidate chosen without that set beside the in-sample one and ASReview's;
docs/prioritisation.md has the tables). Constant weightings (9.8 as ASReview, 15, 20, 30; C 0.11 to 0.5) left
Nagtegaal_2019 and Wilson more than 0.02 below ASReview when left out; with the two choices above every set is
within 0.02 left out. Tried and not chosen: a naive Bayes view averaged by rank (ASReview's classic default;
+0.045 on Nelson, -0.013 on Meijboom against the SVM alone), C 1, logistic regression (30 times slower to fit),
retraining after every label, and TF-IDF without the doubled title, without max_df or with min_df 2 (all within
0.003 on Wilson). Char n-grams beside the words (an ensemble of two views) lost on four sets at three times the
CPU.
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
from sklearn.naive_bayes import MultinomialNB
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
    pseudo_min_unscreened: int = 0  # ... and none once fewer records than this are unscreened
    c: float = 0.11  # SVM regularisation, as ASReview's default
    # When set, the ratio follows the labels: irrelevant / relevant records screened so far, between ratio_floor
    # and relevant_weight_ratio (a review with many includes gets a milder weighting than one with few).
    ratio_from_prevalence: bool = False
    ratio_floor: float = 1.0
    # A second view averaged with the linear model by rank: "" (none) or "nb" (multinomial naive Bayes on the
    # same TF-IDF, ASReview's classic default, with both classes weighing the same in total).
    second_view: str = ""
    nb_alpha: float = 3.822
    learner: str = "svm"  # "svm" (LinearSVC) or "logistic" (LogisticRegression, liblinear)


# See the module docstring: the weighting follows the prevalence seen (at most 30), and 90 random unscreened
# records are taught as irrelevant only while 1,000 or more are unscreened.
DEFAULT = RankerConfig(
    relevant_weight_ratio=30, ratio_from_prevalence=True, pseudo_negatives=90, pseudo_min_unscreened=1000, c=0.3
)
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
    """Linear SVM margins squashed into [0, 1] (or, with a second view, the mean rank of the two models).

    Besides the screened records, up to ``config.pseudo_negatives`` random unscreened ones are taught as (weakly)
    irrelevant while enough records are unscreened (see the module docstring).
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
    if len(candidates) < config.pseudo_min_unscreened:
        n_pseudo = 0
    pseudo = rng.choice(candidates, n_pseudo, replace=False)
    rows = np.concatenate([idx, pseudo])
    target = np.concatenate([y, np.zeros(len(pseudo), dtype=np.int64)])
    ratio = config.relevant_weight_ratio
    if config.ratio_from_prevalence:
        n_rel = int(y.sum())
        ratio = float(np.clip((len(y) - n_rel) / n_rel, config.ratio_floor, config.relevant_weight_ratio))
    weights = _balanced_weights(target, ratio)
    weights[len(y) :] *= config.pseudo_weight
    train = matrix[rows]
    if config.learner == "logistic":
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=config.c, solver="liblinear", random_state=seed)
        lr.fit(train, target, sample_weight=weights)
        margins = lr.decision_function(matrix)
    else:
        clf = LinearSVC(C=config.c, random_state=seed)
        clf.fit(train, target, sample_weight=weights)
        margins = clf.decision_function(matrix)
    if config.second_view == "nb":
        nb = MultinomialNB(alpha=config.nb_alpha)
        nb.fit(train, target, sample_weight=_balanced_weights(target, 1.0))
        nb_scores = nb.predict_log_proba(matrix)
        return _rank_mean(margins, nb_scores[:, 1] - nb_scores[:, 0])
    return np.asarray(expit(margins))


def _rank_mean(*scores: np.ndarray) -> np.ndarray:
    """The mean of each record's rank under every model, scaled into [0, 1] (1 = first under all of them).

    Ranks, not raw scores: an SVM margin and a naive Bayes log-odds live on scales that no fixed weighting
    reconciles, while their orders can be averaged as they are.
    """
    n = len(scores[0])
    total = np.zeros(n)
    for s in scores:
        ranks = np.empty(n)
        ranks[np.argsort(s, kind="stable")] = np.arange(n)
        total += ranks
    return total / (len(scores) * max(n - 1, 1))


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
