"""The Sinch Contact Center REST interfaces (RMI to read contact records, RCI
to write contact data back), over HTTP Basic. The only place this service
calls the contact center; credentials never reach a log line.

Timeouts and 5xx answers are retried with bounded exponential backoff; a 401
is final (``Refused``).
"""
from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote, urlencode

from chalicelib.core.errors import DomainError
from chalicelib.core.settings import get_settings

ATTEMPTS = 4
FIRST_BACKOFF = 0.2


class Refused(DomainError):
    """The contact center refused our credentials (401/403)."""
    code = "Unauthorized"


class Unreachable(DomainError):
    """Still failing after the retries (timeouts, 5xx, connection errors)."""
    code = "ServiceUnavailable"


def _request(method: str, path: str, body: Any = None) -> Any:
    settings = get_settings()
    if not settings.sinch_base_url:
        raise Unreachable("CIM_SINCH_BASE_URL is not set")
    url = settings.sinch_base_url.rstrip("/") + path
    token = base64.b64encode(f"{settings.sinch_user or ''}:{settings.sinch_password or ''}".encode()).decode()
    headers = {"Authorization": f"Basic {token}", "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    last = "no attempt"
    for attempt in range(ATTEMPTS):
        if attempt:
            time.sleep(FIRST_BACKOFF * 2 ** (attempt - 1))
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=settings.sinch_timeout_seconds) as reply:
                raw = reply.read()
                return json.loads(raw) if raw.strip() else None
        except urllib.error.HTTPError as error:
            if error.code in (401, 403):
                raise Refused(
                    f"the contact center refused the credentials ({error.code} on {path.split('?')[0]})") from None
            if error.code < 500:
                raise Unreachable(f"{error.code} on {path.split('?')[0]}") from None
            last = f"{error.code} on {path.split('?')[0]}"
        except (urllib.error.URLError, TimeoutError, ConnectionError, json.JSONDecodeError) as error:
            last = f"{type(error).__name__} on {path.split('?')[0]}"
    raise Unreachable(f"the contact center did not answer after {ATTEMPTS} attempts: {last}")


def contacts_page(start_time: str, offset: int, limit: int) -> list[dict[str, Any]]:
    query = urlencode({"startTime": start_time, "sort": "arrivalTime", "offset": offset, "limit": limit})
    page = _request("GET", f"/rmi/contacts?{query}")
    if not isinstance(page, list):
        raise Unreachable("the contact list was not a JSON array")
    return page


def contact_details(contact_id: str) -> list[dict[str, Any]]:
    found = _request("GET", f"/rmi/contacts/{quote(contact_id)}/details")
    return found if isinstance(found, list) else []


def write_contact_data(contact_id: str, attached: dict[str, Any]) -> None:
    _request("POST", "/rci/contactData", {"id": contact_id, "attachedData": attached})


def create_callback(customer_number: str, notes: str, next_call_time: str, queue: str | None) -> str:
    """A callback in the contact center (RCI ``POST /callbacks``): its id there."""
    body = {"customerNumber": customer_number, "notes": notes, "nextCallTime": next_call_time}
    if queue:
        body["queueId"] = queue
    made = _request("POST", "/rci/callbacks", body)
    found = made.get("id") if isinstance(made, dict) else None
    if not found:
        raise Unreachable("the contact center answered the callback without an id")
    return str(found)
