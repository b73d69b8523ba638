"""The agent desk's HTML: pure functions from models to markup.

Every value goes through ``escape``; every control has a label; the layout
reads at 1280x720 and in a 400-pixel side panel (one column below 560px).
Two small scripts, each optional: the upload's (a presigned POST needs the
file's size before S3 will take it) and the keyboard shortcuts; without
them every page still works, but cannot upload.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime, tzinfo
from html import escape
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.api.pages import STYLE
from chalicelib.core import public
from chalicelib.core.settings import get_settings
from chalicelib.domain.calls import channels_of
from chalicelib.domain.values import as_text

DESK_STYLE = STYLE + """
main{max-width:980px}main a{text-decoration:underline}
.bar{display:flex;flex-wrap:wrap;align-items:center;gap:8px 16px;background:#13314f;color:#fff;padding:8px 16px}
.bar a{color:#fff}.bar .who{margin-left:auto;color:#dce6f0}.bar form{margin:0}
.bar button{margin:0;background:#fff;color:#13314f;padding:4px 10px}
.bar .find{margin:0;flex:1 1 160px;max-width:320px}.bar .find input{margin:0;padding:4px 8px}
.keys{margin-top:16px;color:#4a5866}
button.copy{margin:0 0 0 6px;padding:0 8px;font-size:13px}
.facts{display:flex;flex-wrap:wrap;gap:6px 20px;list-style:none;padding:0;margin:0 0 12px}
details.empty{border-top:0;padding:4px 0 0}kbd{font:inherit;border:1px solid #c3ccd5;border-radius:4px;padding:0 5px}
.skip{position:absolute;left:-9999px}.skip:focus{left:8px;top:8px;background:#fff;color:#0b63c5;padding:6px;z-index:2}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,
summary:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
.search{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end}.search div{flex:1 1 180px}
.search button{margin:0}
select,textarea{width:100%;box-sizing:border-box;padding:7px 9px;border:1px solid #c3ccd5;border-radius:6px;
font:inherit;background:#fff}
textarea{min-height:4.5em}
.notice{background:#e7f4ea;border:1px solid #9cc9a8;border-radius:6px;padding:8px 12px;margin:0 0 12px}
.problem{background:#fdecea;border:1px solid #e0a9a2;border-radius:6px;padding:8px 12px;margin:0 0 12px}
.table{overflow-x:auto}
details{border-top:1px solid #e6ebef;padding:8px 0}details:first-of-type{border-top:0}
summary{cursor:pointer}
.actions{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;margin-top:12px}
.actions button{margin:0}
.secondary{background:#fff;color:#0b63c5;border:1px solid #0b63c5}
.choice{display:flex;align-items:center;gap:8px;cursor:pointer;color:inherit}
.choice input{width:auto;margin:0;flex:none}
h2{font-size:17px;margin:0 0 8px}
@media (max-width:560px){main{margin:12px auto;padding:0 8px}dl{grid-template-columns:1fr}dd{margin-bottom:6px}
.table table,.table tbody,.table tr,.table td,.table th[scope=row]{display:block}.table thead{display:none}
.table tr{border-top:1px solid #e6ebef;padding:6px 0}.table td,.table th{border:0;padding:2px 0}
.table td[data-label]::before{content:attr(data-label) ": ";color:#4a5866}
.card{padding:12px}.bar .who{margin-left:0}}
"""

UPLOAD_SCRIPT = """
document.getElementById('upload').addEventListener('submit', async function (event) {
  event.preventDefault();
  const form = event.target, input = form.querySelector('input[type=file]'), status = document.getElementById('upload-status');
  const file = input.files[0];
  if (!file) { status.textContent = 'Choose a file first.'; return; }
  status.textContent = 'Uploading ' + file.name + '...';
  const asked = await fetch(form.action, {method: 'POST', credentials: 'same-origin',
    headers: {'Content-Type': 'application/json', 'X-CSRF-Token': form.elements.csrf.value},
    body: JSON.stringify({fileName: file.name, mimeType: file.type || 'application/octet-stream', size: file.size})});
  const answer = await asked.json();
  if (!asked.ok) { status.textContent = answer.Message || 'The upload was refused.'; return; }
  const post = document.createElement('form');
  post.method = 'post'; post.enctype = 'multipart/form-data'; post.action = answer.upload.url; post.hidden = true;
  for (const [name, value] of Object.entries(answer.upload.fields)) {
    const field = document.createElement('input'); field.type = 'hidden'; field.name = name; field.value = value;
    post.appendChild(field);
  }
  input.name = 'file'; post.appendChild(input); document.body.appendChild(post); post.submit();
});
"""


SHORTCUTS = (("/", "search"), ("n", "new contact"), ("e", "edit this contact (on its card)"),
             ("?", "show or hide these shortcuts"))
SHORTCUTS_SCRIPT = """
document.addEventListener('keydown', function (event) {
  const target = event.target;
  if (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable) return;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const edit = document.getElementById('edit-link'), list = document.getElementById('shortcuts');
  const actions = {
    '/': () => (document.getElementById('q') || document.getElementById('bar-q')).focus(),
    'n': () => location.assign(document.getElementById('nav-new').href),
    'e': () => edit && location.assign(edit.href),
    '?': () => { list.open = !list.open; if (list.open) list.querySelector('summary').focus(); },
  };
  if (actions[event.key]) { event.preventDefault(); actions[event.key](); }
});
document.addEventListener('click', function (event) {
  const button = event.target.closest('button.copy');
  if (!button || !navigator.clipboard) return;
  navigator.clipboard.writeText(button.dataset.copy).then(() => { button.textContent = 'Copied'; });
});
"""


# A save whose session ended meanwhile: the fields the agent changed are kept
# in this tab (sessionStorage) when a form is sent; the server answers the
# sign-in page, which sends the agent back to the form's page; there they are
# put back, said so, and forgotten. Any other page forgets them: the save went
# through. Fields left as loaded are not kept, so a colleague's change made
# meanwhile is not undone by the old value coming back.
DRAFT_SCRIPT = """
(function () {
  const key = 'cim-draft', hours = 2;
  const changed = (field) => field.type === 'checkbox' || field.type === 'radio'
    ? field.checked !== field.defaultChecked
    : field.tagName === 'SELECT'
      ? !(field.selectedIndex >= 0 && field.options[field.selectedIndex].defaultSelected)
      : field.value !== field.defaultValue;
  document.addEventListener('submit', function (event) {
    const form = event.target;
    if (form.method !== 'post' || form.id === 'signin') return;
    const fields = {};
    for (const field of form.elements) {
      if (!field.name || /^(hidden|file|password|submit|button)$/.test(field.type) || !changed(field)) continue;
      if ((field.type === 'checkbox' || field.type === 'radio') && !field.checked) continue;
      fields[field.name] = field.value;
    }
    if (Object.keys(fields).length) sessionStorage.setItem(key, JSON.stringify(
      {page: location.pathname + location.search, action: form.getAttribute('action'), fields, at: Date.now()}));
    else sessionStorage.removeItem(key);
  }, true);
  let draft = null;
  try { draft = JSON.parse(sessionStorage.getItem(key)); } catch (error) { draft = null; }
  if (!draft) return;
  const signIn = document.getElementById('signin');
  if (signIn) {  // the session ended: back to the form's page afterwards
    draft.waiting = true;
    sessionStorage.setItem(key, JSON.stringify(draft));
    const page = draft.page.slice(Math.max(0, draft.page.indexOf('/desk')));  // a stage prefix aside
    if (signIn.elements.next && signIn.elements.next.value === '/desk') signIn.elements.next.value = page;
    return;
  }
  sessionStorage.removeItem(key);
  if (!draft.waiting || Date.now() - draft.at > hours * 3600e3) return;
  const form = [...document.forms].find((f) => f.getAttribute('action') === draft.action);
  if (!form) return;
  for (const [name, value] of Object.entries(draft.fields)) {
    const field = form.elements[name];
    if (!field) continue;
    if (field.type === 'checkbox') field.checked = true; else field.value = value;
  }
  const note = document.createElement('p');
  note.className = 'notice';
  note.setAttribute('role', 'status');
  note.id = 'draft-back';
  note.textContent = 'What you typed before signing in again is back: check it and save.';
  form.prepend(note);
})();
"""


LIVE_SCRIPT = """
(function () {
  const live = document.getElementById('live'), form = document.getElementById('edit');
  if (!live) return;
  const key = 'cim-typing:' + location.pathname;
  const kept = sessionStorage.getItem(key);
  if (form && kept) {  // what the agent typed before the reload, back in its fields
    sessionStorage.removeItem(key);
    for (const [name, value] of Object.entries(JSON.parse(kept))) {
      const field = form.elements[name];
      if (field) field.value = value;
    }
  }
  const changed = (field) => field.tagName === 'SELECT'
    ? !(field.selectedIndex >= 0 && field.options[field.selectedIndex].defaultSelected)
    : field.value !== field.defaultValue;
  let timer = null;
  async function look() {
    try {
      const reply = await fetch(live.dataset.url, {credentials: 'same-origin', headers: {Accept: 'application/json'}});
      if (reply.ok && String((await reply.json()).version) !== live.dataset.version) {
        live.hidden = false;
        clearInterval(timer);
      }
    } catch (error) { /* offline for a moment: ask again next time */ }
  }
  live.querySelector('button').addEventListener('click', function () {
    if (form) {  // only the fields the agent changed: the rest come fresh, with the colleague's changes
      const typed = {};
      for (const field of form.elements) {
        if (field.name && field.type !== 'hidden' && field.type !== 'submit' && changed(field)) typed[field.name] = field.value;
      }
      sessionStorage.setItem(key, JSON.stringify(typed));
    }
    location.reload();
  });
  timer = setInterval(look, Number(live.dataset.every) * 1000);
})();
"""


def live_notice(contact_id: str, version: int) -> str:
    """Hidden until the page's script sees the contact at another version."""
    return (f"<div id=\"live\" class=\"notice\" role=\"status\" hidden "
            f"data-url=\"{escape(desk_url(f'/desk/contacts/{contact_id}/version'), quote=True)}\" "
            f"data-version=\"{version}\" data-every=\"{get_settings().desk_live_seconds:g}\">"
            "Someone else changed this contact since you opened it. "
            "<button type=\"button\">Reload</button> (what you typed here is kept)</div>")


def layout(title: str, body: str, *, session: Any = None, script: str = "") -> str:
    """A desk page: skip link, the bar (a search box on every page, who is
    signed in, sign out), the content, and (signed in) the keyboard shortcuts."""
    bar = shortcuts = ""
    if session is not None:
        bar = (
            "<header class=\"bar\"><nav aria-label=\"Desk\"><a href=\"{search}\">Search</a> · "
            "<a id=\"nav-new\" href=\"{new}\">New contact</a></nav>"
            "<form class=\"find\" role=\"search\" method=\"get\" action=\"{search}\">"
            "<label class=\"skip\" for=\"bar-q\">Search contacts by name, phone or e-mail</label>"
            "<input id=\"bar-q\" name=\"q\" type=\"search\" placeholder=\"Search (press /)\"></form>"
            "<span class=\"who\">Signed in as {name}</span>"
            "<form method=\"post\" action=\"{out}\">{csrf}<button type=\"submit\">Sign out</button></form></header>"
        ).format(search=escape(desk_url("/desk")), new=escape(desk_url("/desk/new")),
                 name=escape(session.name), out=escape(desk_url("/desk/signout")), csrf=csrf_field(session))
        keys = "".join(f"<dt><kbd>{escape(k)}</kbd></dt><dd>{escape(what)}</dd>" for k, what in SHORTCUTS)
        shortcuts = (f"<details id=\"shortcuts\" class=\"keys\"><summary>Keyboard shortcuts</summary>"
                     f"<dl>{keys}</dl></details>")
        script = DRAFT_SCRIPT + SHORTCUTS_SCRIPT + script
    scripts = f"<script>{script}</script>" if script else ""
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>{escape(title)} · CIM desk</title><style>{DESK_STYLE}</style></head>"
        f"<body><a class=\"skip\" href=\"#main\">Skip to content</a>{bar}"
        f"<main id=\"main\">{body}{shortcuts}</main>{scripts}</body></html>"
    )


def desk_url(path: str, params: dict[str, Any] | None = None) -> str:
    given = {k: v for k, v in (params or {}).items() if v not in (None, "")}
    return public.url(path + (f"?{urlencode(given)}" if given else ""))


def csrf_field(session: Any) -> str:
    return f"<input type=\"hidden\" name=\"csrf\" value=\"{escape(session.csrf, quote=True)}\">"


def hidden(name: str, value: Any) -> str:
    return f"<input type=\"hidden\" name=\"{escape(name, quote=True)}\" value=\"{escape(str(value), quote=True)}\">"


def message_text(text: str) -> str:
    return f"<span class=\"notice-inline\" role=\"status\">{escape(text)}</span> · " if text else ""


def message(text: str, kind: str = "notice") -> str:
    role = "alert" if kind == "problem" else "status"
    ident = " id=\"problem\"" if kind == "problem" else ""
    return f"<p class=\"{kind}\"{ident} role=\"{role}\">{escape(text)}</p>" if text else ""


def field_problem(problem: str, attributes: list[Any]) -> tuple[Any, str]:
    """The attribute a problem names (``phone1: ...``), and the problem in the
    agent's words (its label, not its key)."""
    key, _, rest = problem.partition(":")
    named = next((a for a in attributes if a.key == key.strip()), None) if rest else None
    return named, (f"{named.label}:{rest}" if named else problem)


def form_controls(attributes: list[Any], values: dict[str, Any], problem: str) -> tuple[str, str]:
    """The form's controls, the field a problem names marked invalid and
    focused (else the first field focused); and the problem in plain words."""
    bad, plain = field_problem(problem, attributes)
    controls = "".join(field_control(a, values.get(a.key), invalid=a is bad,
                                     focus=(a is bad) if bad else index == 0)
                       for index, a in enumerate(attributes))
    return controls, plain


def shown(value: Any) -> str:
    text = as_text(value, ", ", "yes", "no") if value not in (None, "", []) else ""
    return escape(text) if text else "<span class=\"sub\">—</span>"


def when(instant: str | None, *, day_only: bool = False) -> str:
    """A stored UTC instant as people read it, in the desk's time zone
    (``CIM_DESK_TIMEZONE``), with the instant itself for machines."""
    if not instant:
        return "<span class=\"sub\">—</span>"
    try:
        moment = datetime.fromisoformat(instant.replace("Z", "+00:00")).astimezone(desk_zone())
    except ValueError:
        return escape(instant)
    text = moment.strftime("%a %-d %b %Y" if day_only else "%a %-d %b %Y %H:%M %Z")
    return f"<time datetime=\"{escape(instant, quote=True)}\">{escape(text)}</time>"


def desk_zone() -> tzinfo:
    try:
        return ZoneInfo(get_settings().desk_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def full_name(contact: Any) -> str:
    return " ".join(p for p in (contact.first_name, contact.last_name) if p) or "(no name)"


# --- sign-in -----------------------------------------------------------------

def sign_in_page(next_path: str, note: str = "", problem: str = "", *, sso: bool = False, keys: bool = True) -> str:
    """With single sign-on set up, its button first; the key form unless key sign-in is off."""
    company = (f"<section class=\"card\"><p><a class=\"button\" id=\"sso\" href=\""
               f"{escape(desk_url('/desk/sso', {'next': next_path}))}\">Sign in with your company account</a>"
               "</p></section>") if sso else ""
    key_form = (
        f"<section class=\"card\"><form method=\"post\" action=\"{escape(desk_url('/desk/signin'))}\" id=\"signin\">"
        f"{hidden('next', next_path)}"
        "<label for=\"key\">Your key</label>"
        "<input id=\"key\" name=\"key\" type=\"password\" autocomplete=\"current-password\" required>"
        "<button type=\"submit\">Sign in</button></form></section>") if keys or not sso else ""
    how = ("Use your company account" + (", or your personal agent key" if key_form else "") if sso
           else "Use your personal agent key (an administrator gives you one)")
    return layout("Sign in", (
        f"<h1>Sign in to the desk</h1><p class=\"sub\">{how}. You stay signed in for your shift.</p>"
        f"{message(note)}{message(problem, 'problem')}{company}{key_form}"
    ), script=DRAFT_SCRIPT)  # a form's typing, kept while its session ended, waits here


def leaving_for_provider_page(ending_url: str) -> str:
    """After a single sign-on agent signs out of the desk: on to the company's
    sign-out, by itself (a refresh) or by the link."""
    target = escape(ending_url, quote=True)
    return layout("Signed out", (
        f"<meta http-equiv=\"refresh\" content=\"0;url={target}\">"
        "<h1>You are signed out of the desk</h1><p class=\"sub\">Signing you out of your company account too. "
        f"If nothing happens, <a id=\"provider-signout\" href=\"{target}\">continue to your company's sign-out</a>.</p>"))


# --- search ------------------------------------------------------------------

def search_page(session: Any, q: str, field: str, searchable: list[Any], found: list[Any] | None,
                next_cursor: str | None, problem: str = "", *, followups: list[Any] | None = None,
                recent: list[Any] | None = None, notice: str = "") -> str:
    # "Search in" goes back to its default once it has been used: the next search is a plain one again.
    options = "<option value=\"\">Name, phone or e-mail</option>" + "".join(
        f"<option value=\"{escape(a.key, quote=True)}\">{escape(a.label)}</option>" for a in searchable)
    searched_in = next((a.label for a in searchable if a.key == field), "")
    form = (
        f"<form class=\"search\" role=\"search\" method=\"get\" action=\"{escape(desk_url('/desk'))}\">"
        f"<div><label for=\"q\">Search contacts</label><input id=\"q\" name=\"q\" type=\"search\" "
        f"value=\"{escape(q, quote=True)}\" autofocus></div>"
        f"<div><label for=\"field\">Search in</label><select id=\"field\" name=\"field\">{options}</select></div>"
        "<button type=\"submit\">Search</button></form>"
    )
    results = ""
    if found is not None:
        rows = "".join(
            f"<tr><td data-label=\"Name\"><a href=\"{escape(desk_url(f'/desk/contacts/{c.id}'))}\">"
            f"{escape(full_name(c))}</a></td><td data-label=\"Phone\">{shown(c.phone1)}</td>"
            f"<td data-label=\"E-mail\">{shown(c.email)}</td>"
            f"<td data-label=\"Updated\">{when(c.updated_at, day_only=True)}</td></tr>"
            for c in found)
        more = (f"<p><a href=\"{escape(desk_url('/desk', {'q': q, 'field': field, 'cursor': next_cursor}))}\">"
                "Next page of results</a></p>") if next_cursor else ""
        results = (
            "<section class=\"card\" aria-labelledby=\"results\"><h2 id=\"results\">Results"
            + (f" in {escape(searched_in)}" if searched_in else "") + "</h2>"
            + (f"<div class=\"table\" tabindex=\"0\" role=\"region\" aria-label=\"Search results\"><table id=\"found\"><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Phone"
               f"</th><th scope=\"col\">E-mail</th><th scope=\"col\">Updated</th></tr></thead><tbody>{rows}</tbody>"
               f"</table></div>{more}" if found else "<p>No contact matches.</p>")
            + "</section>")
    home = ""
    if followups is not None:
        items = "".join(followup_item(session, f, back="home", link=True) for f in followups)
        home = ("<section class=\"card\" aria-labelledby=\"mine-h\" id=\"my-followups\"><h2 id=\"mine-h\">"
                f"My follow-ups</h2><ul>{items or '<li>Nothing open: no callback or task is yours.</li>'}</ul></section>")
    if recent is not None:
        seen = "".join(f"<li><a href=\"{escape(desk_url(f'/desk/contacts/{c.id}'))}\">{escape(full_name(c))}</a> "
                       f"<span class=\"sub\">{shown(c.phone1)}</span></li>" for c in recent)
        home += ("<section class=\"card\" aria-labelledby=\"recent-h\" id=\"recent\"><h2 id=\"recent-h\">"
                 f"Recent contacts</h2><ul>{seen or '<li>No card opened yet.</li>'}</ul></section>")
    return layout("Search", f"<h1>Contacts</h1>{message(notice)}{message(problem, 'problem')}"
                            f"<section class=\"card\">{form}</section>{results}{home}", session=session)


# --- the card ----------------------------------------------------------------

def details_list(contact: Any, attributes: list[Any]) -> str:
    """Every attribute: those with a value first (schema order), the empty
    ones folded away below; then the numbers a merge attached."""
    data = contact.model_dump()
    attached = ", ".join(i["value"] for i in data.get("merged_identifiers") or [] if i["kind"] in ("phone", "email"))
    also = f"<dt>Also reached at</dt><dd>{escape(attached)}</dd>" if attached else ""
    held = [a for a in attributes if data.get(a.key) not in (None, "", [])]
    empty = [a for a in attributes if a not in held]
    rows = "".join(f"<dt>{escape(a.label)}</dt><dd>{reachable(a, data)}</dd>" for a in held)
    folded = (f"<details class=\"empty\"><summary>Empty fields ({len(empty)})</summary><dl>"
              + "".join(f"<dt>{escape(a.label)}</dt><dd>—</dd>" for a in empty) + "</dl></details>") if empty else ""
    return f"<dl id=\"attributes\">{rows}{also}</dl>{folded}"


def reachable(attribute: Any, data: dict[str, Any]) -> str:
    """A value; a phone number as a ``tel:`` link and an address as ``mailto:``, each with a copy button."""
    value = data.get(attribute.key)
    if attribute.type not in ("phone", "email") or not isinstance(value, str):
        return shown(value)
    target = (data.get("normalized") or {}).get(attribute.key) or value
    scheme = "tel" if attribute.type == "phone" else "mailto"
    return (f"<a href=\"{scheme}:{escape(target, quote=True)}\">{escape(value)}</a> "
            f"<button type=\"button\" class=\"copy secondary\" data-copy=\"{escape(target, quote=True)}\" "
            f"aria-label=\"Copy {escape(attribute.label, quote=True)}\">Copy</button>")


def key_facts(contact: Any, attributes: list[Any], calls: list[Any], followups: list[Any]) -> str:
    """What an agent needs at a glance: the highlighted attributes that hold
    a value, why the caller called last time, what is promised."""
    data = contact.model_dump()
    facts = [f"<li><span class=\"sub\">{escape(a.label)}</span> <strong>{shown(data.get(a.key))}</strong></li>"
             for a in attributes if a.highlight and data.get(a.key) not in (None, "", [])]
    if calls and last_wrapup(calls[0]):
        facts.append(f"<li><span class=\"sub\">Last call</span> <strong>{escape(last_wrapup(calls[0]))}</strong></li>")
    if followups:
        facts.append(f"<li><a href=\"#followups\"><strong>{len(followups)} open follow-up"
                     f"{'s' if len(followups) > 1 else ''}</strong></a></li>")
    return f"<ul class=\"facts\" id=\"key-facts\">{''.join(facts)}</ul>" if facts else ""


def card_page(session: Any, contact: Any, attributes: list[Any], calls: list[Any], calls_cursor: str | None,
              files: list[Any], *, note: str = "", upload_target: str = "",
              notes: list[Any] = (), followups: list[Any] = (), duplicates: list[Any] = (),
              merge_id: str = "", merges: list[str] = ()) -> str:
    """The card, key facts first: the name, the highlighted attributes, the
    last call's wrap-up, what is promised; then the follow-ups, the history
    (in view at 1280x720), notes, every detail, files. Without a session (a
    signed-link pop) it is read-only: no edit, no upload, no desk links.
    ``merge_id``: a merge just made here, offered for undoing."""
    name = full_name(contact)
    edit = (f"<p class=\"actions\"><a id=\"edit-link\" "
            f"href=\"{escape(desk_url(f'/desk/contacts/{contact.id}/edit'))}\">Edit this contact</a></p>"
            if session else "")
    body = (
        f"<h1>{escape(name)}</h1>{message(note)}{live_notice(contact.id, contact.version) if session else ''}"
        f"{key_facts(contact, attributes, calls, followups)}"
        f"{undo_merge_form(session, merge_id) if merge_id and session else ''}"
        f"{followups_section(session, contact.id, followups)}"
        f"{history_section(contact.id, calls, calls_cursor if session else None, linked=bool(session))}"
        f"{notes_section(session, contact.id, notes)}"
        f"<section class=\"card\" aria-labelledby=\"details-h\" id=\"contact\"><h2 id=\"details-h\">Details</h2>"
        f"{details_list(contact, attributes)}{edit}"
        f"<p class=\"sub\" id=\"record\">contact {escape(contact.id)} · version {contact.version}</p>"
        f"{merged_here(session, merges, merge_id)}</section>"
        f"{duplicates_section(contact.id, duplicates) if duplicates and session else ''}"
        f"{attachments_section(session, contact.id, files, upload_target if session else '')}"
    )
    return layout(name, body, session=session,
                  script=(LIVE_SCRIPT if session else "") + (UPLOAD_SCRIPT if upload_target else ""))


def followups_section(session: Any, contact_id: str, followups: list[Any]) -> str:
    """What was promised and is still open, soonest first, each with Done;
    and (with a session) a form to promise a callback or a task."""
    items = "".join(followup_item(session, f) for f in followups)
    add = ""
    if session is not None:
        add = (f"<details id=\"promise-form\"><summary>Promise a follow-up</summary>"
               f"<form method=\"post\" id=\"promise\" action=\"{escape(desk_url(f'/desk/contacts/{contact_id}/followups'))}\">"
               f"{csrf_field(session)}<fieldset><legend>Promise a follow-up</legend>"
               "<label class=\"choice\"><input type=\"radio\" name=\"kind\" value=\"callback\" checked> Callback</label>"
               "<label class=\"choice\"><input type=\"radio\" name=\"kind\" value=\"task\"> Task</label>"
               f"<label for=\"due-date\">Due ({escape(str(desk_zone()))})</label>"
               "<input id=\"due-date\" name=\"due_date\" type=\"date\" required>"
               f"<label for=\"due-time\">Time ({escape(str(desk_zone()))})</label>"
               "<input id=\"due-time\" name=\"due_time\" type=\"time\" value=\"09:00\">"
               "<label for=\"promise-note\">What was promised</label>"
               "<textarea id=\"promise-note\" name=\"note\" rows=\"2\" maxlength=\"4000\"></textarea>"
               "<button type=\"submit\">Save follow-up</button></fieldset></form></details>")
    if not items and not add:
        return ""
    return (f"<section class=\"card\" aria-labelledby=\"followups-h\" id=\"followups\"><h2 id=\"followups-h\">"
            f"Open follow-ups</h2><ul>{items or '<li>Nothing promised.</li>'}</ul>{add}</section>")


def followup_item(session: Any, followup: Any, *, back: str = "card", link: bool = False) -> str:
    """One open follow-up: kind, due time, owner, what was promised; Done (with a session)."""
    f = followup
    whose = (f" · <a href=\"{escape(desk_url(f'/desk/contacts/{f.contact_id}'))}\">the contact</a>" if link else "")
    done = (f"<form method=\"post\" class=\"inline\" action=\"{escape(desk_url(f'/desk/followups/{f.id}/done'))}\">"
            f"{csrf_field(session)}{hidden('back', back)}<button type=\"submit\">Done</button></form>"
            if session is not None else "")
    return (f"<li><strong>{escape(f.kind.capitalize())}</strong> due {when(f.due_at)} · {escape(f.owner)}"
            f"{(': ' + escape(f.note)) if f.note else ''}{whose} {done}</li>")


def notes_section(session: Any, contact_id: str, notes: list[Any]) -> str:
    """The latest notes, newest first, and (with a session) a box to add one."""
    items = "".join(note_item(n) for n in notes) or "<li>No notes yet.</li>"
    add = ""
    if session is not None:
        add = (f"<form method=\"post\" action=\"{escape(desk_url(f'/desk/contacts/{contact_id}/notes'))}\">"
               f"{csrf_field(session)}<label for=\"note-text\">Add a note</label>"
               "<textarea id=\"note-text\" name=\"text\" rows=\"3\" maxlength=\"4000\" required></textarea>"
               "<button type=\"submit\">Save note</button></form>")
    return (f"<section class=\"card\" aria-labelledby=\"notes-h\" id=\"notes\"><h2 id=\"notes-h\">Notes</h2>"
            f"<ul class=\"notes\">{items}</ul>{add}</section>")


def note_item(note: Any) -> str:
    shown_text = escape(note.text).replace("\n", "<br>")
    return (f"<li><p>{shown_text}</p><p class=\"sub\">{escape(note.author)} · "
            f"{when(note.created_at)}</p></li>")


def history_section(contact_id: str, calls: list[Any], cursor: str | None, *, title: str = "History",
                    linked: bool = True) -> str:
    items = "".join(call_details(t, linked) for t in calls) or "<p>No calls yet.</p>"
    more = (f"<p><a href=\"{escape(desk_url(f'/desk/contacts/{contact_id}/history', {'cursor': cursor}))}\">"
            "Older calls</a></p>") if cursor else ""
    return (f"<section class=\"card\" aria-labelledby=\"history-h\" id=\"history\"><h2 id=\"history-h\">"
            f"{escape(title)}</h2>{items}{more}</section>")


def _plain(item: Any) -> dict[str, Any]:
    return item.model_dump() if hasattr(item, "model_dump") else dict(item)


def call_details(tree: Any, linked: bool = True) -> str:
    legs = [_plain(leg) for leg in tree.interactions]
    kinds = channels_of(legs)
    reason = last_wrapup(tree)
    summary = (f"{when(tree.start_time)} · {escape(', '.join(kinds))} · "
               f"{len(legs)} leg{'s' if len(legs) != 1 else ''}" + (f" · {escape(reason)}" if reason else ""))
    return (f"<details id=\"call-{escape(tree.call_Id, quote=True)}\"><summary>{summary}</summary>"
            f"{tree_table(tree, linked)}</details>")


LEG_COLUMNS = (("start_time", "Start"), ("interaction_type", "Step"), ("type", "Channel"), ("ivr_trail", "IVR trail"),
               ("csq", "Queue"), ("team_name", "Team"), ("agentId", "Agent"), ("call_duration", "Seconds"),
               ("call_disposition", "Outcome"), ("wrap_up", "Wrap-up"))


def tree_table(tree: Any, linked: bool = True) -> str:
    rows = "".join(
        "<tr>" + "".join(f"<td data-label=\"{escape(label, quote=True)}\">{shown(_leg_value(leg, key))}</td>"
                         for key, label in LEG_COLUMNS) + "</tr>"
        for leg in map(_plain, tree.interactions))
    head = "".join(f"<th scope=\"col\">{label}</th>" for _, label in LEG_COLUMNS)
    files = "".join(f"<li><a href=\"{escape(a.get('shortUrl', ''))}\">{escape(a.get('fileName', 'file'))}</a></li>"
                    for a in map(_plain, tree.attachments))
    link = f" · <a href=\"{escape(desk_url(f'/desk/calls/{tree.call_Id}'))}\">open this call</a>" if linked else ""
    notes = "".join(note_item(n) for n in reversed(getattr(tree, "notes", []) or []))
    return (f"<p class=\"sub\">Call {escape(tree.call_Id)} from {escape(tree.phone_number or 'an unknown number')}"
            f"{link}</p>"
            f"<div class=\"table\" tabindex=\"0\" role=\"region\" aria-label=\"Legs of the call\"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
            + (f"<ul>{files}</ul>" if files else "")
            + (f"<h3>Notes on this call</h3><ul class=\"notes\">{notes}</ul>" if notes else ""))


def _leg_value(leg: dict[str, Any], key: str) -> Any:
    value = leg.get(key)
    if key == "start_time" and isinstance(value, str):
        return value[11:19]
    if key == "ivr_trail" and isinstance(value, list):
        return " > ".join(str(v) for v in value)
    return value


def call_page(session: Any, tree: Any, codes: list[Any] = (), note: str = "") -> str:
    contact = (f"<p><a href=\"{escape(desk_url(f'/desk/contacts/{tree.contact_id}'))}\">The caller's card</a></p>"
               if tree.contact_id else "")
    return layout(f"Call {tree.call_Id}", (
        f"<h1>Call {escape(tree.call_Id)}</h1><p class=\"sub\">{message_text(note)}"
        f"{when(tree.start_time)}</p>"
        f"<section class=\"card\">{tree_table(tree)}{contact}</section>"
        f"{wrapup_section(session, tree, codes)}{call_note_form(session, tree.call_Id)}"), session=session)


def call_note_form(session: Any, call_id: str) -> str:
    """A box to write what was said on this call (its notes show with its legs)."""
    if session is None:
        return ""
    return (f"<section class=\"card\" aria-labelledby=\"call-note-h\" id=\"call-notes\"><h2 id=\"call-note-h\">"
            f"Note on this call</h2><form method=\"post\" action=\"{escape(desk_url(f'/desk/calls/{call_id}/notes'))}\">"
            f"{csrf_field(session)}<label for=\"call-note-text\">What was said or promised</label>"
            "<textarea id=\"call-note-text\" name=\"text\" rows=\"3\" maxlength=\"4000\" required></textarea>"
            "<button type=\"submit\">Save note</button></form></section>")


def wrapup_section(session: Any, tree: Any, codes: list[Any]) -> str:
    """How the call was closed, newest first, and a form to close it (when codes exist)."""
    done = "".join(
        f"<li><strong>{escape(w.label)}</strong> <span class=\"sub\">{escape(w.code)} · {escape(w.author)} · "
        f"{when(w.at)}</span>{f'<p>{escape(w.note)}</p>' if w.note else ''}</li>"
        for w in reversed(getattr(tree, "wrapups", []) or [])) or "<li>Not wrapped up yet.</li>"
    form = ""
    if session is not None and codes:
        options = "".join(f"<option value=\"{escape(c.code, quote=True)}\">{escape(c.label)}</option>" for c in codes)
        form = (f"<form method=\"post\" action=\"{escape(desk_url(f'/desk/calls/{tree.call_Id}/wrapup'))}\">"
                f"{csrf_field(session)}<label for=\"wrapup-code\">Wrap-up</label>"
                f"<select id=\"wrapup-code\" name=\"code\" required>{options}</select>"
                "<label for=\"wrapup-note\">Note (optional)</label>"
                "<textarea id=\"wrapup-note\" name=\"note\" rows=\"2\" maxlength=\"4000\"></textarea>"
                "<button type=\"submit\">Wrap up</button></form>")
    return (f"<section class=\"card\" aria-labelledby=\"wrapup-h\" id=\"wrapups\"><h2 id=\"wrapup-h\">Wrap-up</h2>"
            f"<ul>{done}</ul>{form}</section>")


def last_wrapup(tree: Any) -> str:
    wrapups = getattr(tree, "wrapups", None) or []
    return wrapups[-1].label if wrapups else ""


def history_page(session: Any, contact: Any, lines: list[Any], cursor: str | None) -> str:
    back = f"<p><a href=\"{escape(desk_url(f'/desk/contacts/{contact.id}'))}\">Back to the card</a></p>"
    rows = "".join(f"<li>{history_line(line)}</li>" for line in lines) or "<li>No calls yet.</li>"
    more = (f"<p><a href=\"{escape(desk_url(f'/desk/contacts/{contact.id}/history', {'cursor': cursor}))}\">"
            "Older calls</a></p>") if cursor else ""
    return layout(f"History of {full_name(contact)}", (
        f"<h1>History of {escape(full_name(contact))}</h1>{back}"
        f"<section class=\"card\" aria-labelledby=\"history-h\" id=\"history\"><h2 id=\"history-h\">"
        f"Calls, newest first</h2><ul class=\"history\">{rows}</ul>{more}</section>"), session=session)


def history_line(line: Any) -> str:
    """One call as a line that opens its page: when, channels, legs, how it was closed, how long."""
    parts = [", ".join(line.channels) or "call", f"{line.legs} leg{'s' if line.legs != 1 else ''}"]
    if line.seconds is not None:
        parts.append(f"{line.seconds // 60} min {line.seconds % 60} s")
    if line.last_wrapup:
        parts.append(line.last_wrapup)
    parts += [f"{n} {word}{'s' if n != 1 else ''}" for n, word in ((line.notes, "note"), (line.files, "file")) if n]
    href = desk_url(f"/desk/calls/{line.call_Id}")
    return f"<a href=\"{escape(href, quote=True)}\">{when(line.start_time)} · {escape(' · '.join(parts))}</a>"


def attachments_section(session: Any, contact_id: str, files: list[Any], upload_target: str) -> str:
    items = "".join(
        f"<li><a href=\"{escape(f.shortUrl)}\">{escape(f.fileName or 'file')}</a> "
        f"<span class=\"sub\">{escape(f.mimeType)} · {when(f.created_at, day_only=True)}</span></li>"
        for f in files) or "<li>No files yet.</li>"
    upload = ""
    if upload_target:
        upload = (
            f"<form id=\"upload\" method=\"post\" action=\"{escape(desk_url(f'/desk/contacts/{contact_id}/attachments'))}\">"
            f"{csrf_field(session)}<label for=\"file\">Attach a file</label>"
            "<input id=\"file\" type=\"file\" required><button type=\"submit\">Upload</button>"
            "<p id=\"upload-status\" class=\"sub\" role=\"status\"></p></form>")
    return (f"<section class=\"card\" aria-labelledby=\"files-h\"><h2 id=\"files-h\">Files</h2>"
            f"<ul id=\"files\">{items}</ul>{upload}</section>")


# --- forms -------------------------------------------------------------------

INPUT_TYPES = {"email": "email", "phone": "tel", "url": "url", "date": "date"}


def form_text(value: Any) -> str:
    """A value as its form control holds it (lists one per line)."""
    if value in (None, []):
        return ""
    return "\n".join(str(v) for v in value) if isinstance(value, list) else as_text(value, ", ", "true", "false")


def field_control(attribute: Any, value: Any, *, invalid: bool = False, focus: bool = False) -> str:
    """The control for one schema attribute: its type, options and rules
    (``invalid``: the problem shown names it; ``focus``: the cursor starts there)."""
    key, label = attribute.key, attribute.label + (" (required)" if attribute.required else "")
    ident = f"f-{key}"
    required = " required" if attribute.required else ""
    required += " aria-invalid=\"true\" aria-errormessage=\"problem\"" if invalid else ""
    required += " autofocus" if focus else ""
    text = form_text(value)
    head = f"<label for=\"{ident}\">{escape(label)}</label>"
    if attribute.options or attribute.type == "boolean":
        choices = attribute.options or ["true", "false"]
        names = {"true": "Yes", "false": "No"} if attribute.type == "boolean" else {}
        options = "<option value=\"\">—</option>" + "".join(
            f"<option value=\"{escape(o, quote=True)}\"{' selected' if o == text else ''}>{escape(names.get(o, o))}"
            "</option>" for o in choices)
        return f"{head}<select id=\"{ident}\" name=\"{key}\"{required}>{options}</select>"
    if attribute.type == "list":
        return (f"{head}<textarea id=\"{ident}\" name=\"{key}\" aria-describedby=\"{ident}-hint\"{required}>"
                f"{escape(text)}</textarea><span id=\"{ident}-hint\" class=\"sub\">one per line</span>")
    kind = INPUT_TYPES.get(attribute.type, "text")
    extra = f" maxlength=\"{attribute.max_length}\"" if attribute.max_length else ""
    if attribute.type == "number":
        extra += " inputmode=\"decimal\""
    return (f"{head}<input id=\"{ident}\" name=\"{key}\" type=\"{kind}\" value=\"{escape(text, quote=True)}\""
            f"{extra}{required}>")


def edit_page(session: Any, contact: Any, attributes: list[Any], values: dict[str, Any], version: int, *,
              base: dict[str, Any] | None = None, problem: str = "",
              conflicts: list[tuple[Any, Any, Any]] | None = None, status_note: str = "") -> str:
    """The edit form. It carries the version and the values it was read with
    (``base``), so a save writes only what the agent changed. ``conflicts``:
    (attribute, saved now, yours) for fields another agent changed too; the
    agent chooses, per field, whose value to keep."""
    controls, problem = form_controls(attributes, values, problem)
    read_with = {a.key: form_text((base if base is not None else values).get(a.key)) for a in attributes}
    stale = ""
    if conflicts:
        rows = "".join(
            f"<tr><th scope=\"row\">{escape(a.label)}</th>"
            f"<td><label class=\"choice\"><input type=\"radio\" name=\"choice.{escape(a.key, quote=True)}\" value=\"theirs\" required> "
            f"Keep: {shown(now)}</label></td>"
            f"<td><label class=\"choice\"><input type=\"radio\" name=\"choice.{escape(a.key, quote=True)}\" value=\"mine\"> "
            f"Use yours: {shown(mine)}</label></td></tr>"
            for a, now, mine in conflicts)
        stale = (
            "<section class=\"card\" id=\"stale\" aria-labelledby=\"stale-h\"><h2 id=\"stale-h\">Someone else changed "
            "the same fields while you were editing</h2><p>Nothing was saved yet. Their other changes are kept, and so "
            "are yours; for each field below, choose which value to keep, then save.</p>"
            "<div class=\"table\" tabindex=\"0\" role=\"region\" aria-label=\"Fields you both changed\"><table><thead>"
            "<tr><th scope=\"col\">Field</th><th scope=\"col\">Saved now</th><th scope=\"col\">Yours</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div></section>")
    return layout(f"Edit {full_name(contact)}", (
        f"<h1>Edit {escape(full_name(contact))}</h1>{message(status_note)}{message(problem, 'problem')}"
        f"{live_notice(contact.id, version)}{stale}"
        f"<section class=\"card\"><form method=\"post\" id=\"edit\" "
        f"action=\"{escape(desk_url(f'/desk/contacts/{contact.id}'))}\">{csrf_field(session)}{hidden('version', version)}"
        f"{hidden('base', json.dumps(read_with))}"
        f"{controls}<div class=\"actions\"><button type=\"submit\">Save</button>"
        f"<a href=\"{escape(desk_url(f'/desk/contacts/{contact.id}'))}\">Cancel</a></div></form></section>"),
        session=session, script=LIVE_SCRIPT)


def new_contact_page(session: Any, attributes: list[Any], values: dict[str, Any], token: dict[str, str], *,
                     caller: str = "", problem: str = "", action: str = "/desk/contacts",
                     duplicates: list[dict[str, Any]] = ()) -> str:
    controls, problem = form_controls(attributes, values, problem)
    sub = (f"<p class=\"sub\">No contact has the number {escape(caller)}</p>" if caller
           else "<p class=\"sub\">Every field of the schema; only the required ones must be filled in.</p>")
    return layout("New contact", (
        f"<h1>{'New caller' if caller else 'New contact'}</h1>{sub}{message(problem, 'problem')}"
        f"{possible_duplicates(duplicates) if duplicates and session else ''}"
        f"<section class=\"card\"><form method=\"post\" id=\"new-contact\" action=\"{escape(desk_url(action))}\">"
        f"{csrf_field(session) if session else ''}{''.join(hidden(k, v) for k, v in token.items())}{controls}"
        + ("<label class=\"choice\"><input type=\"checkbox\" name=\"save_anyway\" value=\"1\" required> "
           "None of these is this person: save a new contact</label>" if duplicates else "")
        + "<button type=\"submit\">Save contact</button></form></section>"), session=session)


REASONS = {"phone": "same phone number", "email": "same e-mail address", "name": "a name alike"}


def possible_duplicates(found: list[dict[str, Any]]) -> str:
    """Contacts that may be this person, each with why, before the agent saves another."""
    def row(candidate: dict[str, Any]) -> str:
        name = " ".join(p for p in (candidate.get("first_name"), candidate.get("last_name")) if p) or "No name"
        why = ", ".join(REASONS[r] for r in candidate["reasons"])
        href = desk_url("/desk/contacts/" + candidate["id"])
        return f"<li><a href=\"{escape(href)}\">{escape(name)}</a> <span class=\"sub\">{escape(why)}</span></li>"

    rows = "".join(row(d) for d in found)
    return ("<section class=\"card\" id=\"duplicates\" aria-labelledby=\"duplicates-h\"><h2 id=\"duplicates-h\">"
            "This may be someone you already have</h2><p>Nothing was saved yet. Open one of them, or tick the box "
            f"below and save a new contact.</p><ul>{rows}</ul></section>")


def duplicates_section(contact_id: str, found: list[Any]) -> str:
    """Contacts that may be this person, each with why and a way to merge it into this one."""
    def row(candidate: Any) -> str:
        name = " ".join(p for p in (candidate.first_name, candidate.last_name) if p) or "No name"
        why = ", ".join(REASONS[r] for r in candidate.reasons)
        merge = desk_url("/desk/merge", {"survivor": contact_id, "merged": candidate.id})
        return (f"<li><a href=\"{escape(desk_url('/desk/contacts/' + candidate.id))}\">{escape(name)}</a> "
                f"<span class=\"sub\">{escape(why)}</span> "
                f"<a href=\"{escape(merge)}\">Same person? Merge into this contact</a></li>")

    return ("<section class=\"card\" id=\"duplicates\" aria-labelledby=\"duplicates-h\"><h2 id=\"duplicates-h\">"
            f"Possible duplicates</h2><ul>{''.join(row(c) for c in found)}</ul></section>")


def merged_here(session: Any, merges: list[str], shown_above: str) -> str:
    """Every merge into this card that can still be undone, each with its Undo (the one just made is above)."""
    rest = [m for m in merges if m != shown_above]
    if session is None or not rest:
        return ""
    forms = "".join(
        f"<li><form method=\"post\" class=\"inline\" action=\"{escape(desk_url(f'/desk/merges/{m}/undo'))}\">"
        f"{csrf_field(session)}Merge {escape(m)} <button type=\"submit\" class=\"secondary\">Undo merge</button>"
        "</form></li>" for m in rest)
    return f"<div id=\"merged-here\"><h3>Records merged into this one</h3><ul>{forms}</ul></div>"


def undo_merge_form(session: Any, merge_id: str) -> str:
    return (f"<form method=\"post\" id=\"undo-merge\" action=\"{escape(desk_url(f'/desk/merges/{merge_id}/undo'))}\">"
            f"{csrf_field(session)}<p class=\"notice\" role=\"status\">Merged. The other record now opens this card."
            " <button type=\"submit\">Undo merge</button></p></form>")


def merge_page(session: Any, survivor: Any, merged: Any, attributes: list[Any], preview: Any) -> str:
    """Two records side by side: for each field they hold differently, whose
    value to keep (the preview's choice checked); then merge."""
    mine, theirs, result = survivor.model_dump(), merged.model_dump(), preview.contact.model_dump()
    rows = []
    for a in attributes:
        if mine.get(a.key) == theirs.get(a.key):
            continue
        keep = survivor.id if result.get(a.key) == mine.get(a.key) else merged.id
        cells = "".join(
            f"<td><label class=\"choice\"><input type=\"radio\" name=\"keep_{escape(a.key)}\" value=\"{escape(who.id)}\""
            f"{' checked' if who.id == keep else ''}> {shown(data.get(a.key))}</label></td>"
            for who, data in ((survivor, mine), (merged, theirs)))
        rows.append(f"<tr><th scope=\"row\">{escape(a.label)}</th>{cells}</tr>")
    words = {"followups": "follow-ups"}
    moves = ", ".join(f"{n} {words.get(kind, kind) if n > 1 else words.get(kind, kind)[:-1]}"
                      for kind, n in preview.moves.items() if n) or "nothing else"
    table = ("<div class=\"table\" tabindex=\"0\" role=\"region\" aria-label=\"Fields that differ\"><table id=\"differing\">"
             f"<thead><tr><th scope=\"col\">Field</th><th scope=\"col\">{escape(full_name(survivor))} (stays)</th>"
             f"<th scope=\"col\">{escape(full_name(merged))}</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
             if rows else "<p>They hold the same values: nothing to choose.</p>")
    swap = desk_url("/desk/merge", {"survivor": merged.id, "merged": survivor.id})
    return layout("Merge contacts", (
        f"<h1>Merge {escape(full_name(merged))} into {escape(full_name(survivor))}</h1>"
        f"<p class=\"sub\">The card of {escape(full_name(survivor))} stays; the other opens it from now on. "
        f"It takes over {escape(moves)}. You can undo the merge.</p>"
        f"<form method=\"post\" id=\"merge\" action=\"{escape(desk_url('/desk/merge'))}\">{csrf_field(session)}"
        f"{hidden('survivor', survivor.id)}{hidden('merged', merged.id)}"
        f"<section class=\"card\" aria-labelledby=\"choose-h\"><h2 id=\"choose-h\">Choose the values to keep</h2>{table}"
        "<button type=\"submit\">Merge</button></section></form>"
        f"<p><a href=\"{escape(swap)}\">Keep the other card instead</a> · "
        f"<a href=\"{escape(desk_url('/desk/contacts/' + survivor.id))}\">Cancel</a></p>"), session=session)


def chooser_page(session: Any, ani: str, found: list[Any], last_calls: dict[str, str],
                 mapped: list[Any], href: Any = None) -> str:
    """Several contacts share the number: what tells them apart. ``href``:
    the address of a candidate's card (the desk's, or a signed link)."""
    href = href or (lambda c: desk_url(f"/desk/contacts/{c.id}"))
    extra = mapped[:1]
    head = "".join(f"<th scope=\"col\">{escape(a.label)}</th>" for a in extra)
    rows = "".join(
        f"<tr><td data-label=\"Name\"><a href=\"{escape(href(c))}\">{escape(full_name(c))}</a></td>"
        f"<td data-label=\"Phones\">{shown(', '.join(p for p in (c.phone1, c.phone2) if p))}</td>"
        f"<td data-label=\"E-mail\">{shown(c.email)}</td>"
        f"<td data-label=\"Last call\">{when(last_calls.get(c.id))}</td>"
        + "".join(f"<td data-label=\"{escape(a.label, quote=True)}\">{shown(c.model_dump().get(a.key))}</td>"
                  for a in extra) + "</tr>"
        for c in found)
    return layout("Several callers", (
        f"<h1>Several contacts share this number</h1><p class=\"sub\">{escape(ani)}: choose the caller</p>"
        "<section class=\"card\"><div class=\"table\" tabindex=\"0\" role=\"region\" aria-label=\"Contacts with this number\"><table id=\"choices\"><thead><tr><th scope=\"col\">Name</th>"
        "<th scope=\"col\">Phones</th><th scope=\"col\">E-mail</th><th scope=\"col\">Last call</th>"
        f"{head}</tr></thead><tbody>{rows}</tbody></table></div>{_merge_offer(session, found)}</section>"),
        session=session)


def _merge_offer(session: Any, found: list[Any]) -> str:
    """Two records of one caller (at the desk): a way to make them one."""
    if session is None or len(found) != 2:
        return ""
    href = desk_url("/desk/merge", {"survivor": found[0].id, "merged": found[1].id})
    return f"<p><a id=\"merge-these\" href=\"{escape(href)}\">These are the same person: merge them</a></p>"


def problem_body(session: Any, title: str, text: str) -> str:
    return layout(title, f"<h1>{escape(title)}</h1>{message(text, 'problem')}"
                         f"<p><a href=\"{escape(desk_url('/desk'))}\">Back to search</a></p>", session=session)


def form_fields(form: dict[str, str], attributes: list[Any], *, creating: bool) -> dict[str, Any]:
    """The schema's fields from a form these pages made: text as typed (""
    clears on an edit), lists one per line."""
    fields: dict[str, Any] = {}
    for attribute in attributes:
        if attribute.key not in form:
            continue
        raw = form[attribute.key].strip()
        if attribute.type == "list":
            value: Any = [line.strip() for line in raw.splitlines() if line.strip()] or None
        else:
            value = raw or None
        if value is None and creating:
            continue
        fields[attribute.key] = value
    return fields


def read_with(form: dict[str, str]) -> dict[str, str] | None:
    """The values an edit form was read with (as its controls held them)."""
    try:
        read = json.loads(form.get("base") or "null")
    except ValueError:
        return None
    if isinstance(read, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in read.items()):
        return read
    return None


def changed_in_form(form: dict[str, str], attributes: list[Any]) -> dict[str, Any]:
    """The fields the agent changed: the form's values that differ from the
    ones it was read with (a form without them: every field it holds). A
    field whose conflict the agent settled as "keep theirs" is left out."""
    mine = form_fields(form, attributes, creating=False)
    read = read_with(form)
    if read is not None:
        base = form_fields(read, attributes, creating=False)
        mine = {k: v for k, v in mine.items() if k not in base or v != base[k]}
    return {k: v for k, v in mine.items() if form.get(f"choice.{k}") != "theirs"}
