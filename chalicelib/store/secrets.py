"""Secrets kept outside the environment (SSM Parameter Store), read once a container."""
from __future__ import annotations

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
