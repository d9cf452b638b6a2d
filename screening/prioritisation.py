"""Screening prioritisation: where each part lives, and the names callers import from here.

- writes (retraining, scores, queue keys, scheduling): screening/services/prioritisation.py
- reads (training labels, the dashboard figures): screening/selectors/prioritisation.py
- the TF-IDF feature cache: screening/ranking/features.py
- the pure ranker: screening/ranking/model.py; the task: screening/tasks.py
"""

from __future__ import annotations

from screening.ranking.features import FEATURES_FORMAT, features_path, record_texts, stage_features
from screening.selectors.prioritisation import (
    RELEVANT_CHOICES,
    PrioritisationSummary,
    StageSnapshot,
    prioritisation_summary,
    relevance_of,
    screened_since_last_include,
    stage_snapshot,
)
from screening.services.prioritisation import (
    MIN_CALIBRATION,
    RETRAIN_AFTER_SECONDS,
    RETRAIN_EVERY_VOTES,
    VOTED_UNSCORED_KEY,
    queue_keys_from_scores,
    relevance_reorder,
    relevance_retrain,
    relevance_retrain_request,
    relevance_retrain_soon,
    relevant_remaining_estimate,
)

__all__ = [
    "FEATURES_FORMAT",
    "MIN_CALIBRATION",
    "RELEVANT_CHOICES",
    "RETRAIN_AFTER_SECONDS",
    "RETRAIN_EVERY_VOTES",
    "VOTED_UNSCORED_KEY",
    "PrioritisationSummary",
    "StageSnapshot",
    "features_path",
    "prioritisation_summary",
    "queue_keys_from_scores",
    "record_texts",
    "relevance_of",
    "relevance_reorder",
    "relevance_retrain",
    "relevance_retrain_request",
    "relevance_retrain_soon",
    "relevant_remaining_estimate",
    "screened_since_last_include",
    "stage_features",
    "stage_snapshot",
]
