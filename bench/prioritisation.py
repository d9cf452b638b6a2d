"""Screening prioritisation: choose the ranker by leave-one-set-out, check the stopping rule, time a retraining.

Run from the project root:
    .venv/bin/python bench/prioritisation.py [--seeds 0,1,2] [--stop-seeds 0-9] [--sets A,B] [--no-timing]

1. Leave-one-set-out. Every candidate in CANDIDATES is simulated on every set of ../shared/corpus/screening
   (1 included + 1 excluded prior drawn with each seed, the app's retraining schedule). For each set, the
   candidate with the best score on the *other* sets is chosen, and its WSS@95 and recall@10% on the left-out
   set are printed beside the in-sample figure (the candidate that is best over all sets, which is the one the
   app ships: screening.ranking.model.DEFAULT) and ASReview 3.0.8's figure from the corpus README. Candidates
   are compared on the fewest sets more than 0.02 below ASReview, then on the mean difference from ASReview with
   each set's difference capped at +0.03, so that a large win on one set cannot hide a loss on another.
2. Switch rule. When the random sample begins, chosen by leave-one-set-out on the work saved at the stop among
   runs of irrelevant records and the knee method (seeds as in 1).
3. Stopping rule. The shipped ranker with the stopping procedure on every set with each of --stop-seeds: the
   share of runs that reached the target recall (to compare with the stated confidence), the mean recall and
   work saved at the stop.
4. Timing of one retraining (fit + scores) on 10,000 synthetic records; --app also times the app's task path.

Simulations are cached per candidate, set and seed under --cache (default /tmp/bench-prioritisation.json), so
a rerun after a change to the stopping rule alone only reruns what changed; --fresh ignores the cache.
Prints figures and exits 0; skips the corpus parts when the corpus is absent.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _prioritisation_cache import CORPUS, Cache, _mean, _seeds
from _prioritisation_switch import switch_rule
from _prioritisation_timing import time_app_retraining, time_retraining

from screening.ranking.model import DEFAULT, RankerConfig
from screening.ranking.simulate import read_dataset

# Mean WSS@95 of ASReview 3.0.8's default model (seeds 0-2, 1+1 priors), from the corpus README.
ASREVIEW_WSS95 = {
    "Cohen_2006_ADHD": 0.691,
    "Kitchenham_2010": 0.699,
    "Nagtegaal_2019": 0.724,
    "Appenzeller-Herzog_2020_Wilson": 0.827,
    "Chou_2004": 0.298,
    "Meijboom_2021": 0.774,
    "Nelson_2002": 0.350,
}

# The grid (each candidate costs a pass over the sets). The first round compared constant weightings (ratio 9.8
# as ASReview, 15, 20, 30; C 0.11 to 0.5; docs/prioritisation.md keeps its table): ratio 20, C 0.3 was chosen, and
# two sets stayed more than 0.02 below ASReview when left out (Nagtegaal_2019, Wilson). This round adds choices
# that follow the review as screening goes:
# - the weighting tied to the prevalence seen so far (relevant labels weigh, in total, as many times the
#   irrelevant ones as the irrelevant outnumber them, at most 20 or 30 times): a review with many includes
#   (Nelson_2002, 22%) gets a mild weighting, one with few a strong one;
# - random unscreened records taught as irrelevant (90, a third of a screened record's weight) only while at
#   least 1,000 records are unscreened: there the 90 hold about one relevant record at 1% prevalence, while in a
#   small review they would be a third of it (what lost on issue #18's small unseen reviews);
# - a second view averaged by rank (multinomial naive Bayes, ASReview's classic default) and a stronger C.
# Logistic regression (liblinear) was tried and dropped: 70 s for one simulation of Nelson_2002 against 2 s.
# REFERENCES are printed but never chosen. The two below the first teach random unscreened records as irrelevant
# in every review, which lost badly on small unseen reviews (issue #18: under 300 records, 6% included, 0.36 vs 0.74).
CANDIDATES = {
    "ratio 20, C 0.3": RankerConfig(relevant_weight_ratio=20, pseudo_negatives=0, c=0.3),
    "ratio 20 + NB view, C 0.3": RankerConfig(relevant_weight_ratio=20, pseudo_negatives=0, c=0.3, second_view="nb"),
    "prevalence ratio <= 20, C 0.3": RankerConfig(
        relevant_weight_ratio=20, pseudo_negatives=0, c=0.3, ratio_from_prevalence=True
    ),
    "prevalence ratio <= 30, C 0.3": RankerConfig(
        relevant_weight_ratio=30, pseudo_negatives=0, c=0.3, ratio_from_prevalence=True
    ),
    "prevalence ratio <= 30, C 1": RankerConfig(
        relevant_weight_ratio=30, pseudo_negatives=0, c=1.0, ratio_from_prevalence=True
    ),
    "ratio 20, 90 sampled at >= 1,000 left, C 0.3": RankerConfig(
        relevant_weight_ratio=20, pseudo_negatives=90, pseudo_min_unscreened=1000, c=0.3
    ),
    "ratio 30, 90 sampled at >= 1,000 left, C 0.3": RankerConfig(
        relevant_weight_ratio=30, pseudo_negatives=90, pseudo_min_unscreened=1000, c=0.3
    ),
    "prevalence ratio <= 20, 90 sampled at >= 1,000 left, C 0.3": RankerConfig(
        relevant_weight_ratio=20, pseudo_negatives=90, pseudo_min_unscreened=1000, c=0.3, ratio_from_prevalence=True
    ),
    "prevalence ratio <= 30, 90 sampled at >= 1,000 left, C 0.3": RankerConfig(
        relevant_weight_ratio=30, pseudo_negatives=90, pseudo_min_unscreened=1000, c=0.3, ratio_from_prevalence=True
    ),
}
# Tried after the choice was made, so printed beside it and never chosen: the shipped model with ASReview's C 0.11
# is better on six sets and on small-review proxies (bench/prioritisation_small.py) but 0.026 below ASReview on
# Nagtegaal_2019; as a candidate it would be chosen without Nagtegaal and fail there (docs/prioritisation.md).
REFERENCES = {
    "prevalence ratio <= 30, 90 sampled at >= 1,000 left, C 0.11": RankerConfig(
        relevant_weight_ratio=30, pseudo_negatives=90, pseudo_min_unscreened=1000, c=0.11, ratio_from_prevalence=True
    ),
    "ratio 30, 3% sampled, C 0.3": RankerConfig(relevant_weight_ratio=30, pseudo_share=0.03, c=0.3),
    "ratio 30, 90 sampled, C 0.11": RankerConfig(relevant_weight_ratio=30, pseudo_negatives=90, c=0.11),
}
WIN_CAP = 0.03
LOSS_LIMIT = -0.02


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated seeds for leave-one-set-out")
    parser.add_argument("--stop-seeds", default="0-9", help="seeds for the stopping rule (a range A-B or a list)")
    parser.add_argument("--sets", default=",".join(ASREVIEW_WSS95), help="comma-separated set names")
    parser.add_argument("--candidates", default="", help="comma-separated candidate names (default: all)")
    parser.add_argument("--cache", default="/tmp/bench-prioritisation.json")
    parser.add_argument("--fresh", action="store_true", help="ignore cached simulations")
    parser.add_argument("--no-references", action="store_true", help="skip the reference rows")
    parser.add_argument("--no-timing", action="store_true", help="skip the 10,000-record timing")
    parser.add_argument("--app", action="store_true", help="also time the app's retraining task path (PostgreSQL)")
    parser.add_argument("--no-sets", action="store_true", help="skip the simulations of the labelled sets")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    stop_seeds = _seeds(args.stop_seeds)
    names = [n for n in args.candidates.split(",") if n] or list(CANDIDATES)
    references = {} if args.no_references else REFERENCES

    if args.no_sets:
        pass
    elif not CORPUS.is_dir():
        print(f"skipped: {CORPUS.resolve()} not found")
    else:
        cache = Cache(Path(args.cache), fresh=args.fresh)
        sets = [name for name in args.sets.split(",") if (CORPUS / f"{name}.csv").is_file()]
        leave_one_set_out(sets, {n: CANDIDATES[n] for n in names}, references, seeds, cache)
        switch_rule(sets, seeds, cache)
        stopping(sets, stop_seeds, cache)
    if not args.no_timing:
        time_retraining()
    if args.app:
        time_app_retraining()
    return 0


def leave_one_set_out(
    sets: list[str],
    candidates: dict[str, RankerConfig],
    references: dict[str, RankerConfig],
    seeds: list[int],
    cache: Cache,
) -> None:
    print(f"leave-one-set-out over {len(sets)} sets and {len(candidates)} candidates, seeds {seeds}, 1+1 priors")
    for name in sets:  # set by set, so that each set's TF-IDF matrix is computed once
        for config in [*candidates.values(), *references.values()]:
            for seed in seeds:
                cache.run(name, config, seed)
    figures: dict[str, dict[str, tuple[float, float]]] = {}
    for cand, config in [*candidates.items(), *references.items()]:
        figures[cand] = {}
        for name in sets:
            runs = [cache.run(name, config, seed) for seed in seeds]
            figures[cand][name] = (_mean(runs, "wss95"), _mean(runs, "recall_at_10pct"))
        row = " ".join(f"{figures[cand][n][0] - ASREVIEW_WSS95[n]:+.3f}" for n in sets)
        kind = "reference" if cand in references else "candidate"
        print(f"  {kind} {cand:30s} difference from ASReview per set: {row}", flush=True)

    def score(cand: str, over: list[str]) -> tuple[int, float]:
        """Fewest sets more than LOSS_LIMIT below ASReview first, then the mean difference capped at WIN_CAP."""
        differences = [figures[cand][n][0] - ASREVIEW_WSS95[n] for n in over]
        losses = sum(d < LOSS_LIMIT for d in differences)
        return -losses, statistics.mean(min(d, WIN_CAP) for d in differences)

    in_sample = max(candidates, key=lambda c: score(c, sets))
    print(f"chosen on all sets (shipped as DEFAULT): {in_sample}; DEFAULT is {_name_of(DEFAULT, candidates)}")
    header = f"{'set':32s} {'N':>5s} {'incl':>4s} {'in WSS':>7s} {'out WSS':>7s} {'ASRev':>6s} {'out-AR':>7s}"
    print(header + f" {'in R10':>6s} {'out R10':>7s}  left-out choice")
    rows = []
    for name in sets:
        others = [n for n in sets if n != name]
        chosen = max(candidates, key=lambda c: score(c, others))
        runs = [cache.run(name, candidates[in_sample], seed) for seed in seeds]
        n, included = int(runs[0]["n"]), 0
        _, _, labels = read_dataset(CORPUS / f"{name}.csv")
        included = sum(labels)
        w_in, r_in = figures[in_sample][name]
        w_out, r_out = figures[chosen][name]
        ref = ASREVIEW_WSS95[name]
        rows.append((w_in, w_out, ref, r_in, r_out))
        print(
            f"{name:32s} {n:5d} {included:4d} {w_in:7.3f} {w_out:7.3f} {ref:6.3f} {w_out - ref:+7.3f} "
            f"{r_in:6.3f} {r_out:7.3f}  {chosen}",
            flush=True,
        )
    means = [statistics.mean(r[i] for r in rows) for i in range(5)]
    print(
        f"{'mean':32s} {'':5s} {'':4s} {means[0]:7.3f} {means[1]:7.3f} {means[2]:6.3f} {means[1] - means[2]:+7.3f} "
        f"{means[3]:6.3f} {means[4]:7.3f}"
    )
    worst = min(r[1] - r[2] for r in rows)
    print(f"worst left-out difference from ASReview {worst:+.3f} (the issue asks for at least -0.020)")


def _name_of(config: RankerConfig, candidates: dict[str, RankerConfig]) -> str:
    return next((name for name, c in candidates.items() if c == config), "not among the candidates")


def stopping(sets: list[str], seeds: list[int], cache: Cache) -> None:
    print(f"\nstopping rule with the shipped ranker, seeds {seeds[0]}-{seeds[-1]}")
    print(f"{'set':32s} {'runs':>4s} {'reached':>7s} {'recall':>6s} {'min':>6s} {'screened':>8s} {'saved':>6s}")
    everything: list[dict[str, float]] = []
    for name in sets:
        runs = [cache.run(name, DEFAULT, seed, stop=True) for seed in seeds]
        everything += runs
        print(
            f"{name:32s} {len(runs):4d} {_mean(runs, 'stop_reached'):7.1%} {_mean(runs, 'stop_recall'):6.3f} "
            f"{min(r['stop_recall'] for r in runs):6.3f} {_mean(runs, 'stop_screened'):8.0f} "
            f"{_mean(runs, 'stop_work_saved'):6.3f}",
            flush=True,
        )
    if everything:
        target = everything[0]["stop_target"]
        print(
            f"all {len(everything)} runs: target recall {target:g} reached in {_mean(everything, 'stop_reached'):.1%} "
            f"(stated: 95%); mean work saved at the stop {_mean(everything, 'stop_work_saved'):.3f}"
        )


if __name__ == "__main__":
    sys.exit(main())
