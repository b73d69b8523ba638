"""Single sign-on for the desk, through a real OpenID provider over HTTP
(oidc-provider-mock on this machine), and ID tokens this test signs itself
to prove each refusal: an unmapped group, a forged signature, another
audience, an expired token, a replayed nonce, a rotated key."""
from __future__ import annotations

import json
import threading
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.api.conftest import body
from tests.api.test_desk import Desk

AGENT = {"name": "Alex Agent", "email": "agent@example.com", "groups": ["cc-agents"]}
ADMIN = {"name": "Ada Admin", "email": "admin@example.com", "groups": ["staff", "cc-admins"]}
VISITOR = {"name": "Val Visitor", "email": "visitor@example.com", "groups": ["marketing"]}


def _serve(app) -> tuple[str, object]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def _configure(monkeypatch, issuer: str, **more: str) -> None:
    from chalicelib.core.settings import get_settings
    from chalicelib.services.access import oidc

    env = {"CIM_OIDC_ISSUER": issuer, "CIM_OIDC_CLIENT_ID": "cim-desk", "CIM_OIDC_CLIENT_SECRET": "s3cret",
           "CIM_OIDC_ROLE_CLAIM": "groups", "CIM_OIDC_ROLES": "cc-agents=agent,cc-admins=admin"} | more
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    oidc.forget_provider()


@pytest.fixture
def provider(api, monkeypatch):
    import oidc_provider_mock

    issuer, server = _serve(oidc_provider_mock.app(require_nonce=True, user_claims=[
        oidc_provider_mock.User(sub="agent@example.com", claims=AGENT),
        oidc_provider_mock.User(sub="admin@example.com", claims=ADMIN),
        oidc_provider_mock.User(sub="visitor@example.com", claims=VISITOR)]))
    _configure(monkeypatch, issuer)
    yield issuer
    server.shutdown()
    from chalicelib.core.settings import get_settings
    get_settings.cache_clear()


def sign_in_as(desk: Desk, sub: str, next_path: str = "/desk"):
    """The browser's round trip: the desk sends it to the provider, the agent
    signs in there, the provider sends it back with a code."""
    started = desk.get(f"/desk/sso?next={next_path}")
    assert started.status_code == 303, started.body
    flow_cookie = started.headers["Set-Cookie"].split(";")[0]
    asked = parse_qs(urlsplit(started.headers["Location"]).query)
    assert asked["code_challenge_method"] == ["S256"] and len(asked["code_challenge"][0]) == 43
    assert asked["scope"] == ["openid email profile"] and asked["nonce"][0] and asked["state"][0]
    at_provider = requests.post(started.headers["Location"], data={"sub": sub}, allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302, at_provider.text[:300]
    back = urlsplit(at_provider.headers["Location"])
    reply = desk.api.get(f"{back.path}?{back.query}", headers={"Cookie": flow_cookie})
    if reply.status_code == 303:
        desk.cookie = reply.headers["Set-Cookie"].split(";")[0]
    return reply


def test_an_agent_signs_in_with_the_company_account_and_is_named_on_the_desk_and_in_the_audit(api, provider):
    page = Desk(api).get("/desk/signin").body.decode()
    assert "Sign in with your company account" in page and 'id="key"' in page

    desk = Desk(api)
    reply = sign_in_as(desk, "agent@example.com", "/desk/new")
    assert reply.status_code == 303 and reply.headers["Location"].endswith("/desk/new")
    assert "HttpOnly" in reply.headers["Set-Cookie"]
    home = desk.get("/desk")
    assert home.status_code == 200 and "Alex Agent (agent@example.com)" in home.body.decode()

    form = desk.form_values(desk.get("/desk/new").body.decode(), "new-contact")
    made = desk.post("/desk/contacts", form | {"first_name": "Ida", "last_name": "Stone"})
    assert made.status_code == 303, made.body
    contact_id = made.headers["Location"].rstrip("/").split("/")[-1].split("?")[0]
    changes = body(api.get(f"/contacts/{contact_id}/changes"))["items"]
    assert changes[0]["who"] == "desk:Alex Agent (agent@example.com)"


def test_the_highest_mapped_group_gives_the_role_and_an_unmapped_user_is_refused(api, provider):
    admin = Desk(api)
    assert sign_in_as(admin, "admin@example.com").status_code == 303
    assert "Ada Admin" in admin.get("/desk").body.decode()

    visitor = Desk(api)
    refused = sign_in_as(visitor, "visitor@example.com")
    assert refused.status_code == 403 and "in no group that may use the desk" in refused.body.decode()
    assert visitor.cookie == "" and "Set-Cookie" not in refused.headers


def test_sign_out_ends_the_desk_session_and_goes_on_to_the_providers_end_session(api, provider):
    desk = Desk(api)
    sign_in_as(desk, "agent@example.com")
    page = desk.get("/desk").body.decode()
    out = desk.post("/desk/signout", {"csrf": desk.csrf(page)})
    # A page that moves on to the provider (a form's redirect to another site would break its form-action policy).
    assert out.status_code == 200 and "Max-Age=0" in out.headers["Set-Cookie"]
    import re
    from html import unescape
    ending = urlsplit(unescape(re.search(r'id="provider-signout" href="([^"]+)"', out.body.decode()).group(1)))
    assert f"{ending.scheme}://{ending.netloc}" == provider and ending.path == "/oauth2/end_session"
    assert parse_qs(ending.query)["post_logout_redirect_uri"][0].endswith("/desk/signin?signedout=1")
    assert desk.get("/desk").status_code in (302, 303, 401)  # the old cookie no longer works


def test_a_callback_that_is_not_this_browsers_sign_in_is_refused(api, provider):
    desk = Desk(api)
    started = desk.get("/desk/sso")
    at_provider = requests.post(started.headers["Location"], data={"sub": "agent@example.com"},
                                allow_redirects=False, timeout=5)
    back = urlsplit(at_provider.headers["Location"])
    # No flow cookie (another browser, or a link someone was sent): refused, nothing signed in.
    stolen = desk.api.get(f"{back.path}?{back.query}")
    assert stolen.status_code == 401 and "not started here" in stolen.body.decode()
    # The provider said no.
    denied = desk.api.get("/desk/sso/callback?error=access_denied&state=x",
                          headers={"Cookie": started.headers["Set-Cookie"].split(";")[0]})
    assert denied.status_code == 401


def test_key_sign_in_can_be_turned_off(api, provider, monkeypatch):
    from chalicelib.core.settings import get_settings

    key = body(api.post("/keys", {"name": "Old Key", "role": "agent"}))["key"]
    monkeypatch.setenv("CIM_DESK_KEY_SIGNIN", "off")
    get_settings.cache_clear()
    desk = Desk(api)
    page = desk.get("/desk/signin").body.decode()
    assert "Sign in with your company account" in page and 'id="key"' not in page
    refused = desk.sign_in(key)
    assert refused.status_code == 403 and "turned off" in refused.body.decode() and desk.cookie == ""


def test_without_single_sign_on_set_up_its_routes_say_so(api):
    assert Desk(api).get("/desk/sso").status_code == 404
    assert "company account" not in Desk(api).get("/desk/signin").body.decode()


# --- ID tokens signed here: every refusal ---------------------------------------

class Provider:
    """A minimal provider: discovery, keys (rotatable) and a token endpoint
    answering whatever ID token the test sets."""

    def __init__(self) -> None:
        from joserfc.jwk import RSAKey

        self.key = RSAKey.generate_key(2048, parameters={"kid": "one"})
        self.published = [self.key]
        self.id_token = ""
        self.key_fetches = 0

    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/.well-known/openid-configuration":
            answer = {"issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                      "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks"}
        elif path == "/jwks":
            self.key_fetches += 1
            answer = {"keys": [k.as_dict(private=False) for k in self.published]}
        else:
            answer = {"access_token": "x", "token_type": "Bearer", "id_token": self.id_token}
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(answer).encode()]

    def sign(self, key=None, **claims) -> None:
        from joserfc import jwt

        signing = key or self.key
        now = int(time.time())
        self.id_token = jwt.encode({"alg": "RS256", "kid": signing.kid},
                                   {"iss": self.issuer, "aud": "cim-desk", "sub": "u-1", "iat": now,
                                    "exp": now + 3600, "nonce": self.nonce, "name": "Alex Agent",
                                    "email": "agent@example.com", "groups": ["cc-agents"]} | claims, signing)


@pytest.fixture
def signer(api, monkeypatch):
    made = Provider()
    made.issuer, server = _serve(made)
    _configure(monkeypatch, made.issuer)
    yield made
    server.shutdown()
    from chalicelib.core.settings import get_settings
    get_settings.cache_clear()


def come_back(api, signer: Provider, **claims):
    """Start a sign-in, let the provider answer a token signed as asked, come back."""
    desk = Desk(api)
    started = desk.get("/desk/sso")
    asked = parse_qs(urlsplit(started.headers["Location"]).query)
    signer.nonce = asked["nonce"][0]
    key = claims.pop("key", None)
    signer.sign(key, **claims)
    return desk.api.get(f"/desk/sso/callback?code=c0de&state={asked['state'][0]}",
                        headers={"Cookie": started.headers["Set-Cookie"].split(";")[0]})


def test_a_well_signed_token_signs_in(api, signer):
    assert come_back(api, signer).status_code == 303


@pytest.mark.parametrize("claims, said", [
    ({"groups": ["marketing"]}, "in no group that may use the desk"),
    ({"aud": "another-app"}, "not for this desk"),
    ({"iss": "https://evil.example"}, "not for this desk"),
    ({"nonce": "replayed"}, "not for this desk"),
    ({"exp": int(time.time()) - 600, "iat": int(time.time()) - 4000}, "expired"),
])
def test_a_token_that_does_not_hold_is_refused(api, signer, claims, said):
    reply = come_back(api, signer, **claims)
    assert reply.status_code in (401, 403) and said in reply.body.decode(), reply.body[:400]
    assert "Set-Cookie" not in reply.headers


def test_a_forged_signature_is_refused(api, signer):
    from joserfc.jwk import RSAKey

    forger = RSAKey.generate_key(2048, parameters={"kid": "one"})  # the provider's key id, not its key
    reply = come_back(api, signer, key=forger)
    assert reply.status_code == 401 and "signature" in reply.body.decode()


def test_a_rotated_key_is_fetched_once_and_then_trusted(api, signer):
    from joserfc.jwk import RSAKey

    assert come_back(api, signer).status_code == 303
    fetched = signer.key_fetches
    rotated = RSAKey.generate_key(2048, parameters={"kid": "two"})
    signer.published = [signer.key, rotated]
    # The cached keys lack "two"; a fetch a minute is allowed, and the first was longer ago than that.
    from chalicelib.services.access import oidc
    oidc._keys[f"{signer.issuer}/jwks"] = (time.monotonic() - 120, oidc._keys[f"{signer.issuer}/jwks"][1])
    assert come_back(api, signer, key=rotated).status_code == 303
    assert signer.key_fetches == fetched + 1
    # A key nobody published is refused without fetching again and again.
    stranger = RSAKey.generate_key(2048, parameters={"kid": "three"})
    assert come_back(api, signer, key=stranger).status_code == 401
    assert signer.key_fetches == fetched + 1
