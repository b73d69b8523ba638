"""``GET /openapi.json`` (the generated OpenAPI 3.1 document) and ``GET /docs``
(the same for people: one self-contained page, no assets from elsewhere)."""
from __future__ import annotations

import json
from html import escape

from chalice import Response

from chalicelib.api.pages import html_response, page
from chalicelib.api.routing import Area
from chalicelib.core.roles import PUBLIC

area = Area(__name__, "Service")
bp = area.blueprint
DOCS_STYLE = (
    "<style>.op{background:#fff;border:1px solid #d9e0e6;border-radius:8px;margin:10px 0;padding:10px 14px}"
    ".m{display:inline-block;min-width:58px;font-weight:700;font-family:monospace}"
    ".GET{color:#0b7a3e}.POST{color:#0b63c5}.PUT{color:#a15c00}.DELETE{color:#b3261e}"
    "code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f4f6f8;padding:8px;overflow:auto}"
    "h2{margin-top:28px}</style>"
)


def document() -> dict:
    # Imported on first use: building the document's tables is not paid by
    # every cold start, only by the first request for the docs.
    from chalicelib.api.spec import document as build

    return build()


def _described(spec: dict, response: dict) -> str:
    """A response's description, also when it refers to a shared one."""
    if "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response["description"]


@area.route("GET", "/openapi.json", role=PUBLIC, summary="This document", response=dict, errors=())
def openapi():
    return Response(body=json.dumps(document()), status_code=200, headers={"Content-Type": "application/json"})


@area.route("GET", "/docs", role=PUBLIC, summary="This document for people", media="text/html", errors=())
def docs():
    spec = document()
    by_tag: dict[str, list[str]] = {}
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {})
            example = next((c.get("example") for c in body.values() if c.get("example")), None)
            codes = ", ".join(f"{code} {escape(_described(spec, r))}" for code, r in op["responses"].items())
            block = (
                f"<div class=\"op\"><span class=\"m {method.upper()}\">{method.upper()}</span> "
                f"<code>{escape(path)}</code> — {escape(op['summary'])}"
                f"<div class=\"sub\">{escape(op['description'])} Answers: {codes}</div>"
                + (f"<pre>{escape(json.dumps(example, indent=2))}</pre>" if example else "") + "</div>"
            )
            by_tag.setdefault(op["tags"][0], []).append(block)
    sections = "".join(f"<h2>{escape(tag)}</h2>{''.join(blocks)}" for tag, blocks in by_tag.items())
    html = page("CIM API", (
        f"{DOCS_STYLE}<h1>{escape(spec['info']['title'])} {escape(spec['info']['version'])}</h1>"
        f"<p class=\"sub\">{escape(spec['info']['description'])} Machine-readable: "
        f"<a href=\"openapi.json\">openapi.json</a>. Send <code>Authorization: Bearer &lt;key&gt;</code>.</p>"
        f"{sections}"
    ))
    return html_response(html)
