"""Secrets kept outside the environment (SSM Parameter Store), read once."""
from __future__ import annotations

from functools import lru_cache

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.core.errors import Unavailable
from chalicelib.store import aws


@lru_cache(maxsize=8)
def parameter(name: str) -> str:
    """A SecureString parameter's value (decrypted), cached per container."""
    try:
        reply = aws.client("ssm").get_parameter(Name=name, WithDecryption=True)
    except (ClientError, BotoCoreError) as error:
        raise Unavailable(f"the parameter {name} cannot be read") from error
    return reply["Parameter"]["Value"]
