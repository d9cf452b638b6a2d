"""Reviews, their members and roles, invitations and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    # Ordered from least to most power; ROLE_RANK compares them.
    VIEWER = "viewer", "Viewer"
    REVIEWER = "reviewer", "Reviewer"
    # A reviewer who may also settle screening conflicts (the "third reviewer" of many protocols), without the
    # lead's administration of members, settings, searches and exports.
    ARBITER = "arbiter", "Arbiter"
    LEAD = "lead", "Lead"


ROLE_RANK = {Role.VIEWER: 1, Role.REVIEWER: 2, Role.ARBITER: 3, Role.LEAD: 4}
RESOLVER_ROLES = (Role.ARBITER, Role.LEAD)  # who may decide a screening conflict


class DedupVersions(models.TextChoices):
    """What deduplication does with a preprint and its journal version (the engine's scoring.VERSIONS)."""

    POSSIBLE = "possible", "Ask a person (possible duplicate)"
    SAME = "same", "Versions are one study: merge them"
    SEPARATE = "separate", "Separate records: never merge them"


class Review(models.Model):
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField("objective", blank=True)
    inclusion_criteria = models.TextField(blank=True)
    exclusion_criteria = models.TextField(blank=True)
    dedup_automatic = models.BooleanField("Deduplicate automatically after each import", default=True)
    dedup_versions = models.CharField(
        "A preprint and its journal version",
        max_length=10,
        choices=DedupVersions.choices,
        default=DedupVersions.POSSIBLE,
        help_text="Deduplication merges them, keeps them apart, or (the default) asks a person.",
    )
    # An updated review: what the previous version included (PRISMA's "previous studies" boxes).
    previous_studies = models.PositiveIntegerField(default=0)
    previous_reports = models.PositiveIntegerField(default=0)
    previous_note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(dedup_versions__in=[v.value for v in DedupVersions]), name="review_dedup_versions_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Membership(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="membership_unique_user_per_review"),
            models.CheckConstraint(condition=Q(role__in=[r.value for r in Role]), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.review_id}"


class Invitation(models.Model):
    """A single-use, expiring invitation; only a hash of the token is stored.

    Either a new person by e-mail (they choose a username and password from the link), or an existing account
    (`invitee`), who accepts or declines it while logged in: nobody is added to a review without consent.
    `email` is only ever what the inviting lead typed, so showing it to them discloses nothing new.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(blank=True)
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="review_invitations"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    # The link is derived from this seed and SECRET_KEY, so the lead can copy it again from the Members page while
    # the database alone never holds a working link.
    link_seed = models.CharField(max_length=32, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="") | Q(invitee__isnull=False), name="invitation_has_email_or_invitee"
            ),
            models.UniqueConstraint(
                fields=["review", "invitee"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True, declined_at__isnull=True),
                name="invitation_one_pending_per_account",
            ),
        ]

    def __str__(self) -> str:
        return f"invitation of {self.email or self.invitee_id} to {self.review_id}"

    @property
    def invited_as(self) -> str:
        """What the lead typed: the e-mail address, or for an account invited by name, its username."""
        return self.email or (self.invitee.get_username() if self.invitee else "")


class ApiToken(models.Model):
    """A per-user API token. The key is shown once; only its SHA-256 is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Why it was revoked when no person pressed "revoke" (a password change or reset).
    revoked_reason = models.CharField(max_length=60, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Unset: works until revoked")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
