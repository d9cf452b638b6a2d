"""The layout the apps share: review's API and reads are packages, accounts is its own app above review, and the
modules stay small enough to read."""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
HIGHER_THAN_REVIEW = ("accounts", "screening", "charting", "reporting")
OLD_MODULES = (
    "review.api_",
    "review.selectors_",
    "review.views_accounts",
    "review.views_health",
    "review.urls_accounts",
    "review.authentication",
    "review.services.passwords",
)


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def _sources(*folders: str) -> list[Path]:
    return [path for folder in folders for path in (ROOT / folder).rglob("*.py") if "migrations" not in path.parts]


def test_review_imports_none_of_the_apps_built_on_it():
    offending = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in _sources("review")
        for name in _imported_modules(path)
        if name.split(".")[0] in HIGHER_THAN_REVIEW
    }
    assert offending == set()


def test_nothing_refers_to_the_modules_that_moved():
    offending = [
        f"{path.relative_to(ROOT)}: {old}"
        for path in _sources("accounts", "review", "screening", "charting", "reporting", "config", "tests", "bench")
        if path != Path(__file__).resolve()
        for old in OLD_MODULES
        if old in path.read_text(encoding="utf-8")
    ]
    assert offending == []


def test_settings_point_at_the_api_package():
    framework = settings.REST_FRAMEWORK
    assert framework["EXCEPTION_HANDLER"] == "review.api.errors.exception_handler"
    assert "review.api.authentication.ApiTokenAuthentication" in framework["DEFAULT_AUTHENTICATION_CLASSES"]


def test_accounts_is_an_installed_app_with_the_shared_layout():
    config = apps.get_app_config("accounts")
    folder = Path(config.path)
    for part in ("apps.py", "views.py", "urls.py", "tasks.py", "throttles.py", "health.py", "services"):
        assert (folder / part).exists(), part
    # It owns no tables: users are Django's, invitations and tokens are review's.
    assert list(config.get_models()) == []


def test_no_module_of_the_reorganised_packages_passes_400_lines():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in _sources("accounts", "config", "review/api", "review/selectors", "review/views")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}
