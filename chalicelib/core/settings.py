"""Every setting is an environment variable prefixed ``CIM_``, read once, lazily.

Nothing here runs at import time: ``get_settings()`` parses the environment on
its first call and caches the result for the life of the Lambda container.
Tests that change the environment call ``get_settings.cache_clear()``. A
plain dataclass, not pydantic-settings: that library alone cost a third of
the app's import time (cold start), for twenty-odd typed variables.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache

PREFIX = "CIM_"
MIN_SECRET_CHARS = 32

DEFAULT_ATTACHMENT_TYPES = (
    "image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "application/pdf",
    "text/plain", "text/csv", "application/rtf", "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
)


@dataclass(frozen=True)
class Settings:

    table_name: str = "cim"
    bucket_name: str = "cim-attachments"
    # Phone region for numbers without a country code.
    default_region: str = "US"
    admin_key: str | None = field(default=None, repr=False)
    # In AWS: the SSM SecureString parameter holding the bootstrap admin key.
    admin_key_parameter: str | None = None
    # Browser origins allowed to call the API (comma-separated); none by default.
    cors_origins: tuple[str, ...] = ()
    # The external base URL (custom domain or stage URL); none: taken from each request.
    public_base_url: str | None = None
    sinch_base_url: str | None = None
    sinch_user: str | None = None
    sinch_password: str | None = field(default=None, repr=False)
    rci_webhook_secret: str | None = field(default=None, repr=False)
    rci_batch_max: int = 10  # a record costs up to ~5 DynamoDB calls: a push stays within the request cap
    sinch_timeout_seconds: float = 10.0
    # The pull: how often, how far back the first time, how much to re-read.
    sync_every_seconds: int = 300
    sync_lookback_hours: int = 24
    sync_overlap_minutes: int = 15
    sync_page_size: int = 100
    # In-progress records older than this stop holding the watermark back.
    sync_max_open_hours: int = 12
    # Post {"cimContactId"} back to the contact center's contactData.
    rci_writeback: bool = False
    sinch_callback_queue: str | None = None  # the queue a follow-up's callback goes to in the contact center
    # Signs paging cursors, screen-pop links and form tokens (HMAC-SHA256):
    # at least 32 random characters, one per stage. No default: a public
    # default would let anyone forge a link that shows contact data.
    signing_secret: str | None = field(default=None, repr=False)
    # In AWS: the SSM SecureString parameter holding the signing secret.
    signing_key_parameter: str | None = None
    # Origins allowed to embed the pages in an iframe (an agent workspace); none by default.
    frame_ancestors: tuple[str, ...] = ()
    screenpop_link_seconds: int = 300
    # An agent's desk session lasts this long (a shift), unless they sign out or the key is revoked.
    session_hours: float = 10.0
    # Single sign-on for the desk (OpenID Connect, authorization code with PKCE):
    # the provider's issuer URL, this app's client at it, which claim lists the
    # agent's groups and which group gives which role ("cc-agents=agent,cc-admins=admin").
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = field(default=None, repr=False)
    oidc_client_secret_parameter: str | None = None  # in AWS: the SSM SecureString holding it
    oidc_role_claim: str = "groups"
    oidc_roles: str = ""
    oidc_scopes: str = "openid email profile"
    # Whether agents may still sign in with a personal key (off: only through the provider).
    desk_key_signin: bool = True
    desk_timezone: str = "UTC"  # the desk shows times in this IANA zone (Europe/Helsinki)
    desk_live_seconds: float = 20.0  # how often an open card or edit form asks whether the contact changed
    # CloudWatch metrics: an Embedded Metric Format line per request on stdout (core/metrics.py).
    metrics: bool = True
    # X-Ray subsegments for every AWS call and outside HTTP call (core/tracing.py), in Lambda only.
    tracing: bool = True
    metrics_namespace: str = "CIM"
    max_body_bytes: int = 256 * 1024
    max_contact_bytes: int = 16 * 1024
    page_default: int = 50
    page_max: int = 500
    # A write that sends no version retries a lost race this long, then answers 503.
    contention_seconds: float = 5.0
    # Schema and mapping rules are cached this long in each Lambda container.
    cache_seconds: float = 5.0
    # How long a request (or a scheduled run) may spend on a reindex job.
    job_seconds: float = 8.0
    # The flat IVR answer cuts each value to this many characters.
    ivr_value_max: int = 64
    # Attachments: what may be uploaded, how big, and how long links live.
    attachment_types: tuple[str, ...] = DEFAULT_ATTACHMENT_TYPES
    attachment_max_bytes: int = 25 * 1024 * 1024
    attachment_days: int = 30
    upload_seconds: int = 900
    download_seconds: int = 60
    # Retention, in days, enforced by DynamoDB TTL (and the bucket's lifecycle
    # rule for attachments, which follow attachment_days): 0 keeps forever.
    interaction_days: int = 730
    sync_run_days: int = 90
    erasure_receipt_days: int = 1095
    audit_days: int = 1095
    merge_undo_days: int = 90  # a merge keeps the merged contacts as they were this long, for its undo
    # Outbound events (docs/events.md): the EventBridge bus (none: not sent),
    # how long events stay replayable, the webhook retry schedule (seconds
    # after each failed attempt; dead-lettered when it runs out), and whether
    # webhook targets may be plain http on loopback (only `make run` sets it).
    event_bus: str | None = None
    event_days: int = 7
    webhook_retry_seconds: str = "5,60,300,1800,7200,18000,28800,28800"
    webhook_timeout_seconds: float = 10.0
    webhook_allow_loopback: bool = False
    webhook_full_data: bool = False
    webhook_retry_queue: str | None = None  # an SQS queue URL: retries come on time (else the schedule's minute)
    webhook_lanes_at_once: int = 8  # contacts whose deliveries are in flight together (each waits on its target)

    def signing_key(self, secret: str | None = None) -> bytes:
        """The signing secret (``secret``, read from a parameter, or the
        setting), or ``Unavailable`` naming what to set."""
        secret = secret or self.signing_secret or ""
        if len(secret) < MIN_SECRET_CHARS:
            from chalicelib.core.errors import Unavailable

            raise Unavailable(f"{PREFIX}SIGNING_SECRET (or {PREFIX}SIGNING_KEY_PARAMETER) must give at least "
                              f"{MIN_SECRET_CHARS} random characters (make run makes one; a deployed stage keeps "
                              "it in SSM Parameter Store)")
        return secret.encode()

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """The settings given in ``env`` (``CIM_TABLE_NAME`` sets ``table_name``);
        defaults for the rest. A value of the wrong type names its variable."""
        given = {}
        for spec in fields(cls):
            raw = env.get(PREFIX + spec.name.upper())
            if raw is not None:
                given[spec.name] = _parse(PREFIX + spec.name.upper(), str(spec.type), raw)
        return cls(**given)


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def _parse(name: str, kind: str, raw: str) -> object:
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            if raw.strip().lower() not in _TRUE | _FALSE:
                raise ValueError
            return raw.strip().lower() in _TRUE
        if kind.startswith("tuple"):
            return tuple(v.strip().lower() for v in raw.split(",") if v.strip())
    except ValueError:
        raise ValueError(f"{name}: {raw!r} is not a valid {kind}") from None
    return raw  # str, str | None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env(os.environ)
