"""Real services the suite talks to. Locally a missing service skips its tests with a reason;
under CI=true it fails the run: CI must never pass by skipping."""

from __future__ import annotations

import os
import shutil
import socket

import pytest

IN_CI = os.environ.get("CI") == "true"
CHROMIUM = os.environ.get("PARVIS_CHROMIUM", "/usr/bin/chromium")


def service_missing(what: str, reason: str) -> None:
    message = f"{what} unavailable: {reason}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: services are required)", pytrace=False)
    pytest.skip(message)


def require_tcp(what: str, host: str, port: int) -> None:
    try:
        with socket.create_connection((host, port), timeout=2):
            return
    except OSError as exc:
        service_missing(what, f"cannot connect to {host}:{port} ({exc})")


def require_chromium() -> str:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        service_missing("Chromium", f"{CHROMIUM} not found (apt-get install chromium)")
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
