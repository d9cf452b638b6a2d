from __future__ import annotations

import time

from django.http import HttpRequest

from config.broker import broker_status

# Asking Redis on every page would add its time-out to every page while it is down; ask every 10 s at most.
_CHECK_EVERY = 10.0
_last: dict[str, float | bool] = {"at": -_CHECK_EVERY, "unavailable": False}


def background_jobs(request: HttpRequest) -> dict[str, bool]:
    now = time.monotonic()
    if now - float(_last["at"]) >= _CHECK_EVERY:
        _last["unavailable"] = broker_status().startswith("unavailable")
        _last["at"] = now
    return {"background_jobs_unavailable": bool(_last["unavailable"])}
