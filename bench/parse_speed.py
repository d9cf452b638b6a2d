"""How fast is parse() on a large RIS export? Generates a 100,000-record synthetic file and times it.

Run from the project root:  .venv/bin/python bench/parse_speed.py [--records N]
Prints parse seconds, records/s and peak memory, and rispy's bare parse time of the same text.
The records are synthetic (random words from a generated vocabulary) but shaped like real exports:
BOM, CRLF, repeated AU/KW/SN tags, wrapped abstracts, DOI/PMID/WOS identifiers.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import rispy

from review.importers import parse

SYLLABLES = ["ca", "ro", "ne", "ti", "la", "mo", "ve", "su", "pi", "der", "gan", "tro", "lin", "mar", "sol"]
TYPES = ["JOUR", "JOUR", "JOUR", "CONF", "CHAP", "BOOK"]


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    return ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4))) for _ in range(size)]


def _sentence(rng: random.Random, words: list[str], low: int, high: int) -> str:
    chosen = rng.choices(words, k=rng.randint(low, high))
    return " ".join(chosen).capitalize()


def synthetic_ris(records: int, *, seed: int = 20240501) -> str:
    return "\ufeff" + "".join(synthetic_ris_chunks(records, seed=seed))


def synthetic_ris_chunks(records: int, *, seed: int = 20240501) -> Iterator[str]:
    """The file one record at a time, so generating it does not inflate the measured peak memory."""
    rng = random.Random(seed)
    words = _vocabulary(rng, 5000)
    surnames = [w.capitalize() for w in _vocabulary(rng, 2000)]
    journals = [_sentence(rng, words, 2, 5) for _ in range(300)]
    for index in range(records):
        out: list[str] = []
        if index % 50 == 0:
            out.append(f"{index + 1}.")
        out.append(f"TY  - {rng.choice(TYPES)}")
        for _ in range(rng.randint(1, 8)):
            out.append(f"AU  - {rng.choice(surnames)}, {rng.choice('ABCDEFGHJKLMNPRST')}.")
        out.append(f"TI  - {_sentence(rng, words, 6, 18)}")
        journal = rng.choice(journals)
        out.append(f"T2  - {journal}")
        out.append(f"J2  - {journal[:12]}")
        abstract = [_sentence(rng, words, 20, 60) + "." for _ in range(rng.randint(1, 4))]
        out.append(f"AB  - {abstract[0]}")
        out.extend(abstract[1:])  # wrapped continuation lines
        year = rng.randint(1990, 2024)
        out.append(f"PY  - {year}")
        out.append(f"DA  - {year}/{rng.randint(1, 12):02d}//")
        out.append(f"VL  - {rng.randint(1, 300)}")
        out.append(f"IS  - {rng.randint(1, 12)}")
        first_page = rng.randint(1, 2000)
        out.append(f"SP  - {first_page}")
        out.append(f"EP  - {first_page + rng.randint(1, 30)}")
        out.append(f"SN  - {rng.randint(1000, 9999)}-{rng.randint(100, 999)}X")
        out.append(f"DO  - 10.{rng.randint(1000, 99999)}/{rng.choice(words)}.{year}.{index}")
        for _ in range(rng.randint(2, 10)):
            out.append(f"KW  - {rng.choice(words)} {rng.choice(words)}")
        out.append(f"AN  - WOS:{rng.randint(10**14, 10**15 - 1):015d}")
        if rng.random() < 0.5:
            out.append(f"C5  - {rng.randint(10**7, 4 * 10**7)}")
        out.append("DB  - Web of Science")
        out.append("LA  - English")
        out.append("ER  - ")
        out.append("")
        yield "\r\n".join(out) + "\r\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synthetic.ris"
        started = time.perf_counter()
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.write("\ufeff")
            handle.writelines(synthetic_ris_chunks(args.records))
        print(
            f"generated {args.records:,} records, {path.stat().st_size / 1e6:.1f} MB "
            f"in {time.perf_counter() - started:.1f} s"
        )

        data = path.read_bytes()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started, cpu_started = time.perf_counter(), time.process_time()
        result = parse(data, filename=path.name)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        count = len(result.records)
        print(
            f"parse():        {elapsed:6.2f} s  {count / elapsed:10,.0f} records/s  "
            f"{cpu:6.2f} s CPU  {count:,} records, {len(result.problems)} problems"
        )
        # On a shared machine wall time swings with other load; CPU time is the steadier figure.
        print(
            f"peak memory:    {rss_after / 1024:6.0f} MB process peak RSS "
            f"(+{(rss_after - rss_before) / 1024:.0f} MB during parse, input {len(data) / 1e6:.0f} MB)"
        )
        del result

        text = data.decode("utf-8-sig")
        started, cpu_started = time.perf_counter(), time.process_time()
        entries = rispy.loads(text)
        rispy_elapsed, rispy_cpu = time.perf_counter() - started, time.process_time() - cpu_started
        print(
            f"rispy.loads():  {rispy_elapsed:6.2f} s  {len(entries) / rispy_elapsed:10,.0f} records/s  "
            f"{rispy_cpu:6.2f} s CPU  {len(entries):,} records (bare parse: no decoding, mapping or line numbers)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
