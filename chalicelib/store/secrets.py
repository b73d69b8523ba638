"""Secrets kept outside the environment (SSM Parameter Store), read once a container."""
from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.core.errors import Unavailable
from chalicelib.core.settings import get_settings
from chalicelib.store import aws


@lru_cache(maxsize=8)
def parameter(name: str) -> str:
    """A SecureString parameter's value (decrypted), cached per container."""
    try:
        reply = aws.client("ssm").get_parameter(Name=name, WithDecryption=True)
    except (ClientError, BotoCoreError) as error:
        raise Unavailable(f"the parameter {name} cannot be read") from error
    return reply["Parameter"]["Value"]


def signing_key() -> bytes:
    """The key that signs cursors, links and form tokens: ``CIM_SIGNING_SECRET``,
    or the SSM SecureString named by ``CIM_SIGNING_KEY_PARAMETER`` (how a
    deployed stage keeps it out of its configuration)."""
    settings = get_settings()
    if not settings.signing_secret and settings.signing_key_parameter:
        return settings.signing_key(parameter(settings.signing_key_parameter))
    return settings.signing_key()


def identifier_digest(kind: str, value: str) -> str:
    """The keyed hash of a normalised number or address: how suppressions and
    holder markers name one without holding it."""
    return hmac.new(signing_key(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
