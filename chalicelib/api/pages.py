"""Server-rendered HTML for agents: one small stylesheet inline, no external
assets, every value escaped, script only where a page cannot do without (the
desk's upload). Every page is answered with a Content-Security-Policy that
allows exactly its own stylesheet and scripts (by hash) and nothing else, and
may be framed only by ``CIM_FRAME_ANCESTORS``."""
from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from html import escape
from typing import Any
from urllib.parse import urlencode

from chalice import Response

from chalicelib.core.settings import get_settings
from chalicelib.domain.values import as_text

_STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.S)
_SCRIPT_BLOCK = re.compile(r"<script>(.*?)</script>", re.S)

STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f4f6f8;color:#1d2733}
main{max-width:720px;margin:24px auto;padding:0 16px}
h1{font-size:20px;margin:0 0 4px}
.sub{color:#5a6b7b;margin:0 0 16px}
.card{background:#fff;border:1px solid #d9e0e6;border-radius:8px;padding:16px 20px;margin-bottom:16px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:6px 18px;margin:0}
dt{color:#5a6b7b}dd{margin:0;word-break:break-word}
ul.choices{list-style:none;padding:0;margin:0}
ul.choices li{border-top:1px solid #e6ebef;padding:10px 0}ul.choices li:first-child{border-top:0}
a{color:#0b63c5;text-decoration:none}a:hover{text-decoration:underline}
label{display:block;margin:8px 0 2px;color:#5a6b7b}
input{width:100%;box-sizing:border-box;padding:7px 9px;border:1px solid #c3ccd5;border-radius:6px;font:inherit}
button,a.button{display:inline-block;text-decoration:none;margin-top:14px;padding:8px 16px;border:0;border-radius:6px;background:#0b63c5;color:#fff;font:inherit}
.badge{display:inline-block;background:#e8eef5;border-radius:10px;padding:1px 8px;font-size:12px;color:#3b4b5b}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:6px 8px;border-top:1px solid #e6ebef;font-size:14px}
"""


def page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def definition_list(rows: Iterable[tuple[str, Any]]) -> str:
    return "<dl>" + "".join(f"<dt>{escape(label)}</dt><dd>{escape(as_text(value, ', ', 'yes', 'no'))}</dd>"
                            for label, value in rows) + "</dl>"


def link(path: str, params: dict[str, str], label: str) -> str:
    return f"<a href=\"{escape(path + '?' + urlencode(params))}\">{escape(label)}</a>"


def html_response(body: str, status: int = 200, *, form_targets: tuple[str, ...] = (),
                  headers: dict[str, str] | None = None) -> Response:
    """``form_targets``: origins besides ours that the page's forms may post to (the upload bucket)."""
    # same-origin, not no-referrer: with no referrer at all a browser sends
    # "Origin: null" on form posts, and the desk checks that its forms come from
    # its own pages. Other sites still get no referrer (URLs carry numbers).
    headers = {"Content-Type": "text/html; charset=utf-8", "Referrer-Policy": "same-origin",
               "Content-Security-Policy": content_security_policy(body, form_targets)} | (headers or {})
    if not get_settings().frame_ancestors:
        headers["X-Frame-Options"] = "DENY"  # for browsers that predate frame-ancestors
    return Response(body=body, status_code=status, headers=headers)


def _hashes(blocks: list[str]) -> str:
    return " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'"
                    for b in blocks) or "'none'"


def content_security_policy(body: str, form_targets: tuple[str, ...] = ()) -> str:
    """Nothing but this page's own inline stylesheets and scripts, its own forms and images."""
    ancestors = " ".join(get_settings().frame_ancestors) or "'none'"
    scripts = _SCRIPT_BLOCK.findall(body)
    connect = "connect-src 'self'; " if scripts else ""
    forms = " ".join(("'self'", *form_targets))
    return (f"default-src 'none'; style-src {_hashes(_STYLE_BLOCK.findall(body))}; "
            f"script-src {_hashes(scripts)}; {connect}img-src 'self' data:; "
            f"form-action {forms}; base-uri 'none'; frame-ancestors {ancestors}")


def problem_page(message: str, status: int, *, signed_in: bool = False) -> Response:
    """What a page shows instead when it cannot be shown (the same status a
    JSON route would answer), and a way on: back to the desk's search for an
    agent signed in, else to its sign-in."""
    from chalicelib.core import public

    way = (f"<a href=\"{escape(public.url('/desk'))}\">Back to search</a> · "
           f"<a href=\"{escape(public.url('/desk/new'))}\">New contact</a>" if signed_in
           else f"<a href=\"{escape(public.url('/desk/signin'))}\">Sign in to the desk</a>")
    return html_response(page("Not shown", f"<h1>Cannot show this</h1><p class=\"sub\" role=\"alert\">"
                                           f"{escape(message)}</p><p>{way}</p>"), status)
