"""The load run's people: reviewers who keep what the server acknowledged, and the lead uploading a file meanwhile."""

from __future__ import annotations

import http.client
import json
import time
from collections import Counter

from _screening_client import Reviewer
from _screening_setup import SLUG

IMPORT_RECORDS = 2_000
STAGE = "title-abstract"


class AckingReviewer(Reviewer):
    """bench/screening.py's reviewer, keeping what the server acknowledged and timing each request on its own."""

    def __init__(self, port: int, token: str, username: str, stop_at: float, think: float, seed: int) -> None:
        # Two round trips per record (vote, then next), the way the browser screen works.
        super().__init__(port, token, stop_at, think, seed, combined=False)
        self.username = username
        self.acked: list[tuple[int, str, str]] = []
        self.vote_times: list[float] = []
        self.next_times: list[float] = []
        self.failures: Counter[str] = Counter()

    def timed(self, method: str, path: str, body: dict | None, into: list[float]) -> tuple[int, dict] | None:
        started = time.perf_counter()
        try:
            status, data = self.request(method, path, body)
        except (OSError, http.client.HTTPException, json.JSONDecodeError) as error:
            self.failures[f"connection ({error.__class__.__name__})"] += 1
            return None
        into.append(time.perf_counter() - started)
        if status >= 500:
            self.failures[f"HTTP {status}"] += 1
        elif status >= 400:
            self.failures[f"refused {status}"] += 1
        return status, data

    def run(self) -> None:
        base = f"/api/v1/reviews/{SLUG}/screening/{STAGE}"
        answer = self.timed("GET", f"{base}/next/", None, self.next_times)
        record = ((answer[1].get("record") or {}).get("id")) if answer else None
        while record and time.perf_counter() < self.stop_at:
            choice = self.rng.choices(["exclude", "include", "maybe"], weights=[85, 10, 5])[0]
            answer = self.timed("POST", f"{base}/records/{record}/vote/", {"choice": choice}, self.vote_times)
            if answer and answer[0] == 200:
                mine = [v for v in answer[1].get("votes", []) if v.get("reviewer") == self.username]
                if mine and mine[0].get("choice") == choice:
                    self.acked.append((int(record), self.username, choice))
                else:
                    self.failures["200 without my vote in the body"] += 1
            answer = self.timed("GET", f"{base}/next/", None, self.next_times)
            record = ((answer[1].get("record") or {}).get("id")) if answer and answer[0] == 200 else None
            if self.think:
                time.sleep(self.think * self.rng.uniform(0.5, 1.5))
        self.conn.close()


def synthetic_ris(count: int) -> bytes:
    lines = []
    for n in range(1, count + 1):
        lines += [
            "TY  - JOUR",
            f"TI  - Imported during screening {n}: transfer learning on clinical waveforms",
            f"AU  - Importer{n}, A.",
            f"PY  - {2000 + n % 25}",
            "JO  - Journal of Late Imports",
            f"DO  - 10.8888/late.{n}",
            "AB  - " + " ".join(f"word{(n * k) % 997}" for k in range(80)),
            "ER  - ",
            "",
        ]
    return "\n".join(lines).encode()


def lead_uploads(port: int, token: str, search_id: int, at: float, result: dict[str, object]) -> None:
    """The lead uploads an export (and asks for it to be imported once previewed) while reviewers vote."""
    time.sleep(max(0.0, at - time.perf_counter()))
    boundary = "load-bench-boundary"
    body = b"".join(
        [
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="late.ris"\r\n'.encode(),
            b"Content-Type: application/octet-stream\r\n\r\n",
            synthetic_ris(IMPORT_RECORDS),
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="confirm"\r\n\r\ntrue\r\n'.encode(),
            f"--{boundary}--\r\n".encode(),
        ]
    )
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    conn.request(
        "POST",
        f"/api/v1/reviews/{SLUG}/searches/{search_id}/files/",
        body=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    response = conn.getresponse()
    data = json.loads(response.read() or b"{}")
    conn.close()
    result.update(status=response.status, file_id=data.get("id"), seconds=time.perf_counter() - started)
