"""Turning pair outcomes into groups without chaining different works together.

Chosen rule: complete linkage. Duplicate pairs are taken strongest first, and two clusters are merged only
when *every* cross pair is compatible: not judged distinct by the comparison rules (pairs that blocking never
proposed are compared on demand), not separated by a person's `same=False` decision, and not bringing two
records that already carry screening votes (locked) into one group. So A~B and B~C can never drag A and C
together when A and C are different works.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from review.dedup.model import Outcome

__all__ = ["Clusters"]

PairOutcome = Callable[[int, int], Outcome]


class Clusters:
    def __init__(self, n: int, *, locked: Collection[int], forbidden: set[tuple[int, int]]) -> None:
        self.members: dict[int, list[int]] = {i: [i] for i in range(n)}
        self.root = list(range(n))
        self.locked_count = {i: int(i in locked) for i in range(n)}
        self.forbidden = forbidden

    def find(self, i: int) -> int:
        return self.root[i]

    def _union(self, ra: int, rb: int) -> None:
        keep, gone = (ra, rb) if len(self.members[ra]) >= len(self.members[rb]) else (rb, ra)
        moved = self.members.pop(gone)
        for m in moved:
            self.root[m] = keep
        self.members[keep].extend(moved)
        self.locked_count[keep] += self.locked_count.pop(gone)

    def _forbidden_between(self, ra: int, rb: int) -> bool:
        for x in self.members[ra]:
            for y in self.members[rb]:
                if (min(x, y), max(x, y)) in self.forbidden:
                    return True
        return False

    def force(self, a: int, b: int) -> bool:
        """A person said these are the same work: merge unless another of their decisions forbids it."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self._forbidden_between(ra, rb):
            return False
        self._union(ra, rb)
        return True

    def try_merge(self, a: int, b: int, outcome: PairOutcome) -> str:
        """Merge the clusters of a and b if complete linkage allows; return '' or why it did not."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ""
        if self.locked_count[ra] + self.locked_count[rb] > 1:
            return "locked"
        if self._forbidden_between(ra, rb):
            return "decision"
        for x in self.members[ra]:
            for y in self.members[rb]:
                if outcome(x, y) == "distinct":
                    return "incompatible"
        self._union(ra, rb)
        return ""

    def groups(self) -> Iterable[list[int]]:
        return self.members.values()
