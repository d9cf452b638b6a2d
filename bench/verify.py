"""Everything that proves the application holds, run in order, each step bounded, with one summary table.

Steps (each only if its script exists; corpus only if ../shared/corpus exists):
  suite        the whole test suite on PostgreSQL with Redis (DATABASE_URL=.../reviews_verify, REDIS_URL=.../13)
  corpus       bench/corpus_exports.py: every real export gives its expected record count
  fuzz         bench/fuzz_parsers.py --seconds 60: only ImportFileError escapes a parser
  load         bench/load.py --seconds 60: 20 reviewers on 100,000 records, a Celery import, invariants checked
  screening    bench/screening.py --seconds 30: latency of vote + next record, 20 paced reviewers, 100,000 records
  pg-restart   bench/pg_restart.py: PostgreSQL restarted under load gives 503s, never 500s, and recovers
  import, dedup, prioritisation, export   the benchmarks of those paths
A step passes when its command exits 0 within its time limit. The last lines of each step's output go to
bench/out/verify-<step>.log. Exit 1 if any step failed.

    .venv/bin/python bench/verify.py [--only suite,fuzz] [--skip load] [--list]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
CORPUS = ROOT.parent / "shared" / "corpus"
PYTHON = sys.executable
TAIL_LINES = 200

SUITE_ENV = {
    "DATABASE_URL": os.environ.get("VERIFY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/reviews_verify"),
    "REDIS_URL": os.environ.get("VERIFY_REDIS_URL", "redis://127.0.0.1:6379/13"),
}


@dataclass(frozen=True)
class Step:
    name: str
    command: list[str]
    timeout: int  # seconds; the step fails if it runs longer
    needs: Path  # the step is skipped when this path does not exist
    figure: Callable[[list[str]], str]  # the key figure, from the output's lines
    env: dict[str, str] | None = None


def _last_match(pattern: str, fallback_last_line: bool = True) -> Callable[[list[str]], str]:
    regex = re.compile(pattern)

    def figure(lines: list[str]) -> str:
        for line in reversed(lines):
            found = regex.search(line)
            if found:
                return found.group(1).strip()
        if fallback_last_line:
            return next((line.strip() for line in reversed(lines) if line.strip()), "")
        return ""

    return figure


def _load_figure(lines: list[str]) -> str:
    throughput = _last_match(r"throughput: .*= ([\d.,]+ votes/s)", False)(lines)
    latency = _last_match(r"vote latency:\s+.*(p95 [\d.]+ ms)", False)(lines)
    failed = sum(1 for line in lines if line.startswith("FAIL "))
    parts = [p for p in (throughput, f"vote {latency}" if latency else "", f"{failed} invariant(s) failed") if p]
    return ", ".join(parts)


def steps() -> list[Step]:
    bench = ROOT / "bench"
    return [
        Step(
            "suite",
            [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            3600,
            ROOT / "tests",
            _last_match(r"(\d+ (?:passed|failed|errors?|skipped)\b.* in [\d.]+s)"),
            SUITE_ENV,
        ),
        Step("corpus", [PYTHON, "bench/corpus_exports.py"], 1200, CORPUS, _last_match(r"(.+)")),
        Step(
            "fuzz",
            [PYTHON, "bench/fuzz_parsers.py", "--seconds", "60"],
            600,
            bench / "fuzz_parsers.py",
            _last_match(r"fuzz_parsers: ([\d,]+ examples.*failure\(s\))"),
        ),
        Step("load", [PYTHON, "bench/load.py", "--seconds", "60"], 1800, bench / "load.py", _load_figure),
        Step(
            "screening",
            [PYTHON, "bench/screening.py", "--seconds", "30"],
            900,
            bench / "screening.py",
            _last_match(r"^paced-1call .*?(p50 +[\d.]+ ms \| p95 +[\d.]+ ms)", False),
        ),
        Step("pg-restart", [PYTHON, "bench/pg_restart.py"], 600, bench / "pg_restart.py", _last_match(r"(.+)")),
        Step("import", [PYTHON, "bench/import.py"], 900, bench / "import.py", _last_match(r"(.+)")),
        Step("dedup", [PYTHON, "bench/dedup.py"], 1800, bench / "dedup.py", _last_match(r"(.+)")),
        Step(
            "prioritisation",
            [PYTHON, "bench/prioritisation.py"],
            1800,
            bench / "prioritisation.py",
            _last_match(r"(.+)"),
        ),
        Step("export", [PYTHON, "bench/export.py"], 900, bench / "export.py", _last_match(r"(.+)")),
    ]


@dataclass
class Outcome:
    name: str
    state: str  # PASS, FAIL or SKIP
    figure: str
    seconds: float


def run(step: Step) -> Outcome:
    if not step.needs.exists():
        return Outcome(step.name, "SKIP", f"{step.needs.relative_to(ROOT.parent)} not found", 0.0)
    env = {**os.environ, **(step.env or {})}
    print(f"== {step.name}: {' '.join(step.command[1:])} (at most {step.timeout} s)", flush=True)
    started = time.monotonic()
    timed_out = False
    # Output goes to a file, not a pipe: a chatty step can never block on a full pipe buffer.
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as output:
        process = subprocess.Popen(
            step.command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            process.wait(timeout=step.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            # The step's own process group: it may have started servers of its own.
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
        seconds = time.monotonic() - started
        output.seek(0)
        lines = output.read().splitlines()
    tail = lines[-TAIL_LINES:]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"verify-{step.name}.log").write_text("\n".join(tail) + "\n", encoding="utf-8")
    figure = step.figure(lines)
    state = "PASS" if process.returncode == 0 and not timed_out else "FAIL"
    if timed_out:
        figure = f"timed out after {step.timeout} s; {figure}"
    elif state == "FAIL":
        figure = f"exit {process.returncode}; {figure}"
    print(f"   {state} in {seconds:.0f} s: {figure}", flush=True)
    return Outcome(step.name, state, figure, seconds)


def table(outcomes: list[Outcome]) -> str:
    width = max(len(o.name) for o in outcomes)
    rows = [f"{'step':<{width}}  result  {'seconds':>7}  key figure", "-" * (width + 80)]
    for o in outcomes:
        figure = o.figure if len(o.figure) <= 110 else o.figure[:107] + "..."
        rows.append(f"{o.name:<{width}}  {o.state:<6}  {o.seconds:>7.0f}  {figure}")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="comma-separated step names to run")
    parser.add_argument("--skip", default="", help="comma-separated step names to leave out")
    parser.add_argument("--list", action="store_true", help="print the steps and exit")
    args = parser.parse_args()
    chosen = steps()
    names = {s.name for s in chosen}
    only = {n for n in args.only.split(",") if n}
    skip = {n for n in args.skip.split(",") if n}
    unknown = (only | skip) - names
    if unknown:
        parser.error(f"unknown step(s): {', '.join(sorted(unknown))}; steps are {', '.join(s.name for s in chosen)}")
    if args.list:
        for s in chosen:
            print(f"{s.name:15} {' '.join(s.command[1:])}  (timeout {s.timeout} s)")
        return 0
    chosen = [s for s in chosen if (not only or s.name in only) and s.name not in skip]
    started = time.monotonic()
    outcomes = [run(step) for step in chosen]
    print()
    print(table(outcomes))
    failed = [o.name for o in outcomes if o.state == "FAIL"]
    print(
        f"\nverify: {len(outcomes) - len(failed)} of {len(outcomes)} steps did not fail "
        f"({sum(o.state == 'SKIP' for o in outcomes)} skipped) in {time.monotonic() - started:.0f} s; "
        f"{'FAIL: ' + ', '.join(failed) if failed else 'PASS'}; logs in bench/out/verify-*.log"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
