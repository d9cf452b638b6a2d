"""Every page and action of the browser has an API route: a map from each browser URL name to the API routes that
do the same, checked against the URL configuration. A browser route added without its API route fails here until
the map (and the API) says where it went.

Roles and blinding of each pair are tested with the routes themselves (tests/<app>/test_api*.py) and by the
permission matrix.
"""

from __future__ import annotations

from django.urls import get_resolver

from tests.security.test_permission_matrix import _walk

BROWSER_TO_API: dict[str, tuple[str, ...]] = {
    # reviews, members, settings
    "review:list": ("api-reviews",),
    "review:create": ("api-reviews",),
    "review:home": ("api-review",),
    "review:members": ("api-members", "api-invitations"),
    "review:member-role": ("api-member",),
    "review:member-remove": ("api-member",),
    "review:invitation-revoke": ("api-invitation",),
    "review:invitation-accept": ("api-my-invitation-accept",),
    "review:invitation-decline": ("api-my-invitation-decline",),
    "review:leave": ("api-review-leave",),
    "review:settings": ("api-review",),
    # searches and imports
    "review:searches": ("api-searches",),
    "review:search": ("api-search", "api-search-files"),
    "review:search-edit": ("api-search",),
    "review:search-delete": ("api-search",),
    "review:record-add": ("api-records",),
    "review:search-file": ("api-file", "api-job"),
    "review:search-file-confirm": ("api-file-import",),
    "review:search-file-discard": ("api-file-discard",),
    "review:search-file-encoding": ("api-file-encoding",),
    "review:records": ("api-records",),
    "review:record": ("api-record",),
    "review:record-edit": ("api-record-edits",),
    "review:audit": ("api-audit",),
    "review:record-audit": ("api-audit",),
    "review:record-tag-add": ("api-record-tags", "api-tags"),
    "review:record-tag-remove": ("api-record-tag",),
    "review:record-note-add": ("api-record-notes",),
    # deduplication
    "review:dedup": ("api-dedup", "api-dedup-runs", "api-dedup-run"),
    "review:possible": ("api-dedup-possible",),
    "review:possible-decide": ("api-dedup-decide",),
    "review:groups": ("api-dedup-groups",),
    "review:group": ("api-dedup-group", "api-dedup-split"),
    "review:dedup-log": ("api-dedup-log",),
    # screening
    "screening:overview": ("api-screening-progress",),
    "screening:progress": ("api-screening-progress", "api-screening-pilots", "api-screening-prioritisation"),
    "screening:settings": ("api-screening-settings", "api-screening-reasons", "api-screening-pilots"),
    "screening:reason-add": ("api-screening-reasons",),
    "screening:reason-change": ("api-screening-reason", "api-screening-reason-move", "api-screening-reasons-order"),
    "screening:pilot": ("api-screening-pilots", "api-screening-pilot-close"),
    # PATCH {"blinded": ...}: a screening setting, which the review API also accepts
    "screening:blinding": ("api-screening-settings", "api-review"),
    "screening:screen": ("api-screening-next",),
    "screening:previous": ("api-screening-my-votes",),
    "screening:undo": ("api-screening-undo",),
    "screening:record": ("api-screening-vote",),
    "screening:vote": ("api-screening-vote",),
    "screening:withdraw": ("api-screening-vote",),
    "screening:skip": ("api-screening-skip",),
    "screening:bulk-fulltexts": ("api-screening-bulk-fulltexts",),
    "screening:bulk-fulltexts-apply": ("api-screening-bulk-fulltexts-apply",),
    "screening:hold": ("api-screening-hold",),
    "screening:release": ("api-screening-hold",),
    "screening:conflicts-home": ("api-screening-conflicts",),
    "screening:conflicts": ("api-screening-conflicts",),
    "screening:conflict": ("api-screening-conflict",),
    "screening:conflict-comment": ("api-screening-conflict-comments",),
    "screening:conflict-resolve": ("api-screening-conflict-resolution",),
    "screening:conflict-vote": ("api-screening-vote",),
    "screening:fulltext": ("api-screening-fulltext",),
    "screening:fulltext-upload": ("api-screening-fulltext",),
    "screening:not-retrieved": ("api-screening-not-retrieved",),
    "screening:stopping-sample": ("api-screening-stopping",),
    "screening:stopping-evidence-json": ("api-screening-stopping",),
    "screening:stopping-evidence-csv": ("api-screening-stopping",),
    # charting
    "charting:home": ("api-extractions", "api-charting-assignments"),
    "charting:form": ("api-charting-forms", "api-charting-versions", "api-charting-version"),
    "charting:form-settings": ("api-charting-form",),
    "charting:section-add": ("api-charting-sections",),
    "charting:section-edit": ("api-charting-section",),
    "charting:field-add": ("api-charting-fields",),
    "charting:field-edit": ("api-charting-field",),
    "charting:field-delete": ("api-charting-field",),
    "charting:field-move": ("api-charting-field-move",),
    "charting:assign-pending": ("api-charting-assignments",),
    "charting:assign-study": ("api-study-assign",),
    "charting:reassign": ("api-extraction-reassign",),
    "charting:reopen": ("api-extraction-reopen",),
    "charting:pilot": ("api-charting-pilot",),
    "charting:extract": ("api-extraction",),
    "charting:extract-save": ("api-extraction",),
    "charting:extract-submit": ("api-extraction-submit",),
    # A new empty instance is only a piece of page: the API saves "field#n" answers directly.
    "charting:extract-instance": ("api-extraction",),
    "charting:extract-instance-remove": ("api-extraction-instance-remove",),
    "charting:reports": (
        "api-charting-report-suggestions",
        "api-charting-report-suggestion-dismiss",
        "api-charting-studies",
        "api-record-report-of",
    ),
    "charting:compare": ("api-comparison",),
    "charting:consensus": ("api-consensus",),
    "charting:summaries": ("api-summaries", "api-crosstab", "api-sankey", "api-publications"),
    "charting:summary-download": ("api-summary-download",),
    "charting:exports": ("api-charting-export",),
    "charting:export": ("api-charting-export",),
    # reports
    "reporting:prisma": ("api-prisma",),
    "reporting:prisma-svg": ("api-prisma-svg",),
    "reporting:prisma-records": ("api-prisma-records",),
    "reporting:exports": ("api-report-exports",),
    "reporting:export": ("api-report-export",),
    "reporting:record": ("api-record", "api-record-removal", "api-record-report-of"),
    "reporting:outside": ("api-prisma-outside", "api-prisma-outside-search", "api-prisma-previous"),
    # the account's API tokens
    "accounts:profile": ("api-tokens",),
    "accounts:token-revoke": ("api-token",),
}

# Browser routes with no API route, and why.
BROWSER_ONLY = {
    # Whoever accepts an e-mailed invitation has no account (hence no API token) yet: they choose a password here.
    "accounts:invitation",
}

BROWSER_NAMESPACES = ("review:", "screening:", "charting:", "reporting:", "accounts:")


def _names() -> set[str]:
    return {name for _route, name in _walk(get_resolver().url_patterns)}


def test_every_browser_route_has_its_api_routes():
    browser = {name for name in _names() if name.startswith(BROWSER_NAMESPACES)}
    unmapped = sorted(browser - set(BROWSER_TO_API) - BROWSER_ONLY)
    assert unmapped == [], "browser routes without API routes in BROWSER_TO_API"
    gone = sorted((set(BROWSER_TO_API) | BROWSER_ONLY) - browser)
    assert gone == [], "names in the map that are no longer browser routes"


def test_the_api_routes_named_in_the_map_exist():
    api = {name for name in _names() if name.startswith("api-")}
    missing = sorted({target for targets in BROWSER_TO_API.values() for target in targets} - api)
    assert missing == []
