"""Every partition key, sort key and GSI key of the table is spelled here.

Item families (PK / SK):

- ``CONTACT#<id>`` / ``CONTACT``: a contact; GSI1 lists contacts newest first
  (``GSI1PK=CONTACTS``, ``GSI1SK=<created_at>#<id>``).
- ``IDX#<kind>#<value>`` / ``CONTACT#<id>``: an exact-match index entry
  (kind ``phone`` holds E.164, ``email`` the lower-cased address, ``attr:<key>``
  a searchable schema attribute's normalised value).
- ``NAME#<first letter>`` / ``<token>#<id>``: one entry per name word, so a
  prefix of any word is one ``begins_with`` Query. It carries the name's
  words and (up to ``NAME_CONTACT_MAX`` bytes) the contact itself, so a
  page of a search is that one Query.
- ``NAMEPAIR#<word>`` / ``<other word>#<id>``: one entry per ordered pair of
  the name's first words ("anna virtanen" and "virtanen anna"), carrying
  the same: "anna virt" is one ``begins_with`` Query that reads only
  matches, however common Anna is.
- ``UNIQ#<key>#<value>`` / ``UNIQ``: the claim of a unique attribute value
  by one contact (``id``), written in the contact's transaction.
- ``SCHEMA`` / ``ATTR#<id>``: a schema attribute; ``SCHEMA`` / ``KEY#<key>``
  reserves its key.
- ``MAPPING`` / ``RULE#<id>``: a mapping rule.
- ``JOBS`` / ``JOB#<id>``: a reindex job after a schema change (expires via TTL once done).
- ``CALL#<call_Id>`` / ``CALL``: an interaction tree, its legs in one item;
  GSI1 lists the calls first saved on a day, spread over ``CALL_DAY_SHARDS``
  keys (``GSI1PK=CALLDAY#<yyyy-mm-dd>#<shard>``; every leg rewrites the tree,
  and one key would take every leg of the day), so a retention change
  reaches them with a Query a shard a day.
- ``HIST#<contact id>`` / ``<start_time>#<call_Id>``: a call in a contact's
  history (newest first is one Query).
- ``CALLS#<kind>#<value>`` / ``<start_time>#<call_Id>``: the calls from one
  number (or address), so a contact created later finds them.
- ``CALLER#<kind>#<value>`` / ``SEEN``: that number has called at least once,
  so a contact written learns with one BatchGetItem which of its numbers
  have calls to adopt, instead of one Query per number.
- ``ATT#<id>`` / ``ATT``: an attachment; ``SHORT#<code>`` / ``SHORT`` maps a
  short-link code to it; ``ATTS#<contact id>`` / ``<created_at>#<id>`` lists a
  contact's attachments.
- ``APIKEYS`` / ``<sha256 of the key>``: an API key (only its hash is kept).
- ``SYNC`` / ``STATE``: the contact-center sync's watermark and lease;
  ``SYNC`` / ``RUN#<started_at>``: one run's outcome; ``SYNC`` / ``WB#<id>``:
  a write-back still to send.
- ``FORM#<digest of a form token>`` / ``FORM``: a new-caller form that was
  submitted, and the contact it created (a token is used once; expires via TTL).
- ``AUDIT#<contact id>`` / ``<at>#<id>``: one change to a contact (who, when,
  which route, which fields; personal values masked), written in the
  change's own transaction; GSI1 lists every change of a day
  (``GSI1PK=AUDIT#<yyyy-mm-dd>``, ``GSI1SK=<at>#<id>``).
- ``SUPPRESS#<keyed hash>`` / ``SUPPRESS``: an erased number or address,
  only as an HMAC: nothing re-creates personal data for it until lifted;
  ``SUPPRESSED`` / ``<keyed hash>``: the same, listed for administrators.
- ``PRIVACY`` / ``RETENTION#<id>``: a job applying a changed retention to stored items.
- ``PRIVACY`` / ``ERASURE#<id>``: an erasure's receipt (no personal data);
  ``PRIVACY`` / ``ERASURE#<id>#WORK``: what a running erasure still has to
  find (the identifiers, deleted when it is done).
- ``PRIVACY`` / ``ACCESS#<id>``: an access request's job: state, the keyed
  hash of the identifier and, while it runs, the reads still to make (their
  finds wait in the bucket, under ``privacy/access/<id>/``).
- ``NOTES#<contact id>`` / ``<created_at>#<id>``: a note on a contact (newest
  first is one Query); a call's notes live on its tree.
- ``WRAPUP`` / ``CODES``: the wrap-up codes agents choose from (one item, replaced whole).
- ``FOLLOWUPS#<contact id>`` / ``<id>``: a follow-up (a callback or a task)
  promised to a contact; GSI1 lists an owner's by state, soonest due first
  (``GSI1PK=FOLLOWUPS#<owner>#<state>``, ``GSI1SK=<due_at>#<id>``);
  ``FOLLOWUP#<id>`` / ``FOLLOWUP`` says whose contact it is;
  ``CALLBACKSYNC`` / ``<id>``: a callback still to send to the contact center.
- ``RECENT#<agent>`` / ``<contact id>``: an agent opened that contact's card;
  GSI1 lists them newest first (``GSI1PK=RECENT#<agent>``, ``GSI1SK=<at>``); expires via TTL.
- ``WEBHOOKS`` / ``HOOK#<id>``: a webhook subscription (its signing secrets).
- ``EVENTS#<yyyy-mm-dd>`` / ``<at>#<event id>``: an outbound event, kept
  ``CIM_EVENT_DAYS`` for replay (thin: ids and field names, no values).
- ``HOOK#<webhook id>`` / ``DLV#<at>#<event id>``: one event's delivery to
  one webhook (state, attempts, last answer).
- ``LANE#<webhook id>#<lane>`` / ``<at>#<event id>``: deliveries waiting in
  order behind an undelivered one of the same contact (the lane); the lane's
  head is listed on GSI1 under ``WEBHOOKDUE`` by its next try.
- ``CONTACT#<id>`` / ``CONTACT`` holding ``merged_into`` instead of ``doc``:
  a contact merged into another (a redirect, off every index and listing).
- ``MERGE#<id>`` / ``MERGE``: a merge, with what undoing it needs (the
  merged contacts as they were, the survivor before and after); the copies
  are dropped on undo, and the item expires ``CIM_MERGE_UNDO_DAYS`` after.
- ``JOBS`` / ``DUPSCAN#<id>``: a scan for possible duplicates (resumable).
- ``DUPPAIR#<id>#<id>`` / ``PAIR``: two contacts that may be one person (the
  smaller id first), found by a scan; GSI1 lists them most likely first
  (``GSI1PK=DUPLICATES``, ``GSI1SK=<1000 - score x 1000>#<id>#<id>``);
  ``DUPPAIR#<id>#<id>`` / ``DISMISSED``: someone said they are not.
- ``HEALTH`` / ``HEALTH``: read by the health check (never written).
"""
from __future__ import annotations

import zlib

# The key attributes every item has (the table's) and may have (GSI1's): the one place they are named.
TABLE_KEY = ("PK", "SK")
CONTACTS_GSI_KEY = ("GSI1PK", "GSI1SK")
ALL_KEYS = TABLE_KEY + CONTACTS_GSI_KEY
# Every item also says what it is (``entity_of``), so a scan, an export or a
# stream consumer knows what it reads. Readers never see it.
ENTITY = "entity"
STORAGE_ATTRIBUTES = ALL_KEYS + (ENTITY,)

CONTACT_SK = "CONTACT"
CALLER_SEEN_SK = "SEEN"
CONTACTS_GSI = "GSI1"
CONTACTS_GSI_PK = "CONTACTS"

def contact(contact_id: str) -> dict[str, str]:
    return {"PK": f"CONTACT#{contact_id}", "SK": CONTACT_SK}


def contact_id_of(pk: str) -> str:
    """The id a contact item's PK names."""
    return pk.removeprefix("CONTACT#")


def contact_list_entry(created_at: str, contact_id: str) -> dict[str, str]:
    """GSI1 attributes that order contacts newest first."""
    return {"GSI1PK": CONTACTS_GSI_PK, "GSI1SK": f"{created_at}#{contact_id}"}


def exact_index(kind: str, value: str, contact_id: str) -> dict[str, str]:
    return {"PK": exact_index_pk(kind, value), "SK": f"CONTACT#{contact_id}"}


def exact_index_pk(kind: str, value: str) -> str:
    return f"IDX#{kind}#{value}"


def beginning_index(key: str, value: str, contact_id: str) -> dict[str, str]:
    """A text attribute's value, found by its beginning: a partition per
    attribute and first two characters, the value itself leading the sort key."""
    return {"PK": beginning_index_pk(key, value), "SK": f"{value}#{contact_id}"}


def beginning_index_pk(key: str, beginning: str) -> str:
    return f"BEGINS#{key}#{beginning[:2]}"


def name_index(token: str, contact_id: str) -> dict[str, str]:
    return {"PK": name_index_pk(token), "SK": f"{token}#{contact_id}"}


def name_pair(word: str, other: str, contact_id: str) -> dict[str, str]:
    return {"PK": name_pair_pk(word), "SK": f"{other}#{contact_id}"}


def name_pair_pk(word: str) -> str:
    return f"NAMEPAIR#{word}"


def name_index_pk(prefix: str) -> str:
    # One partition per first character: any prefix of length >= 1 is a
    # begins_with range inside exactly one partition.
    return f"NAME#{prefix[0]}"


UPDATED_SHARDS = 4  # every contact write moves an entry: one key a month would take them all


def updated_entry(updated_at: str, contact_id: str) -> dict[str, str]:
    """A contact under the month of its last change, in the shard its id
    falls in, in the order of changes: ``updated_since`` reads a month's
    shards from a time on and merges them (the sort key orders all of them)."""
    return {"PK": f"{updated_pk(updated_at[:7])}#{_shard(contact_id, UPDATED_SHARDS)}",
            "SK": f"{updated_at}#{contact_id}"}


def updated_pk(month: str) -> str:
    """A month of last changes as a whole (a cursor names it); its items are under ``updated_pks``."""
    return f"UPDATED#{month}"


def updated_pks(month: str) -> list[str]:
    return _shards(updated_pk(month), UPDATED_SHARDS)


def _shard(identity: str, shards: int) -> str:
    """Which of ``shards`` keys an item goes under (the same for one id on every write),
    spreading the writes one key would take all of."""
    return f"{zlib.crc32(identity.encode()) % shards:0{len(str(shards - 1))}d}"


def _shards(pk: str, shards: int) -> list[str]:
    """Every key of a sharded ``pk``, for the reader."""
    return [f"{pk}#{n:0{len(str(shards - 1))}d}" for n in range(shards)]


def month_of_updated_pk(pk: str) -> str:
    return pk.removeprefix("UPDATED#")[:7]


def contact_of_updated_entry(sk: str) -> tuple[str, str]:
    """(updated_at, contact id) of an ``updated_entry``'s sort key."""
    updated_at, _, contact_id = sk.rpartition("#")
    return updated_at, contact_id


def unique_claim(key: str, value: str) -> dict[str, str]:
    return {"PK": f"UNIQ#{key}#{value}", "SK": "UNIQ"}


SCHEMA_PK = "SCHEMA"
MAPPING_PK = "MAPPING"


ATTRIBUTE_PREFIX, RULE_PREFIX, JOB_PREFIX = "ATTR#", "RULE#", "JOB#"


def attribute(attribute_id: str) -> dict[str, str]:
    return {"PK": SCHEMA_PK, "SK": f"{ATTRIBUTE_PREFIX}{attribute_id}"}


def attribute_key_claim(key: str) -> dict[str, str]:
    return {"PK": SCHEMA_PK, "SK": f"KEY#{key}"}


def mapping_rule(rule_id: str) -> dict[str, str]:
    return {"PK": MAPPING_PK, "SK": f"{RULE_PREFIX}{rule_id}"}


JOBS_PK = "JOBS"


def job(job_id: str) -> dict[str, str]:
    return {"PK": JOBS_PK, "SK": f"{JOB_PREFIX}{job_id}"}


def call(call_id: str) -> dict[str, str]:
    return {"PK": f"CALL#{call_id}", "SK": "CALL"}


CALL_DAY_SHARDS = 64  # at 500 calls/s of 3 legs, a shard takes under a tenth of a partition's writes


def call_day_entry(created_at: str, call_id: str) -> dict[str, str]:
    """GSI1 attributes listing a call under the day it was first saved, in
    the shard its id falls in (the same one on every write of the tree)."""
    return {"GSI1PK": f"{call_day_pk(created_at[:10])}#{_shard(call_id, CALL_DAY_SHARDS)}",
            "GSI1SK": f"{created_at}#{call_id}"}


def call_day_pk(day: str) -> str:
    """The day's key before calls were spread over shards (trees not rewritten since keep it)."""
    return f"CALLDAY#{day}"


def call_day_shard_pks(day: str) -> list[str]:
    """The keys a day's calls are listed under (besides ``call_day_pk`` for trees not rewritten since)."""
    return _shards(call_day_pk(day), CALL_DAY_SHARDS)


def call_day_marker(day: str) -> dict[str, str]:
    """Some call of ``day`` is listed under its shards (a retention job reads them only then)."""
    return {"PK": f"CALLDAYS#{day[:7]}", "SK": day}


def history_pk(contact_id: str) -> str:
    return f"HIST#{contact_id}"


def history_entry(contact_id: str, start_time: str, call_id: str) -> dict[str, str]:
    return {"PK": history_pk(contact_id), "SK": f"{start_time}#{call_id}"}


def calls_from_pk(kind: str, value: str) -> str:
    return f"CALLS#{kind}#{value}"


def calls_from_entry(kind: str, value: str, start_time: str, call_id: str) -> dict[str, str]:
    return {"PK": calls_from_pk(kind, value), "SK": f"{start_time}#{call_id}"}


def identifier_held(digest: str) -> dict[str, str]:
    """Which contacts hold a number or address, named by its keyed hash (store/holders.py)."""
    return {"PK": f"HELD#{digest}", "SK": "HELD"}


def caller_seen(kind: str, value: str) -> dict[str, str]:
    return {"PK": f"CALLER#{kind}#{value}", "SK": CALLER_SEEN_SK}


def attachment(attachment_id: str) -> dict[str, str]:
    return {"PK": f"ATT#{attachment_id}", "SK": "ATT"}


def short_code(code: str) -> dict[str, str]:
    return {"PK": f"SHORT#{code}", "SK": "SHORT"}


def contact_attachments_pk(contact_id: str) -> str:
    return f"ATTS#{contact_id}"


def contact_attachment(contact_id: str, created_at: str, attachment_id: str) -> dict[str, str]:
    return {"PK": contact_attachments_pk(contact_id), "SK": f"{created_at}#{attachment_id}"}


API_KEYS_PK = "APIKEYS"


def api_key(key_hash: str) -> dict[str, str]:
    return {"PK": API_KEYS_PK, "SK": key_hash}


def api_key_hash(item: dict[str, str]) -> str:
    """The key hash an API key's item is stored under."""
    return item["SK"]


DESK_USERS_PK = "DESKUSERS"


def desk_user(subject_hash: str) -> dict[str, str]:
    """An agent who signs in through the company's identity provider (keyed
    by a hash of issuer and subject: no key of theirs exists)."""
    return {"PK": DESK_USERS_PK, "SK": subject_hash}


SYNC_PK = "SYNC"


def sync_state() -> dict[str, str]:
    return {"PK": SYNC_PK, "SK": "STATE"}


SYNC_RUN_PREFIX, SYNC_WRITEBACK_PREFIX = "RUN#", "WB#"


def sync_run(started_at: str) -> dict[str, str]:
    return {"PK": SYNC_PK, "SK": f"{SYNC_RUN_PREFIX}{started_at}"}


def sync_writeback(record_id: str) -> dict[str, str]:
    return {"PK": SYNC_PK, "SK": f"{SYNC_WRITEBACK_PREFIX}{record_id}"}


def form_token(token_id: str) -> dict[str, str]:
    return {"PK": f"FORM#{token_id}", "SK": "FORM"}


def health() -> dict[str, str]:
    return {"PK": "HEALTH", "SK": "HEALTH"}


def audit_entry(contact_id: str, at: str, entry_id: str) -> dict[str, str]:
    return {"PK": audit_pk(contact_id), "SK": f"{at}#{entry_id}",
            "GSI1PK": audit_day_pk(at[:10]), "GSI1SK": f"{at}#{entry_id}"}


def audit_pk(contact_id: str) -> str:
    return f"AUDIT#{contact_id}"


AUDIT_DAY_PREFIX = "AUDIT#"


def audit_day_pk(day: str) -> str:
    return f"{AUDIT_DAY_PREFIX}{day}"


def day_of_audit_day_pk(pk: str) -> str:
    return pk.removeprefix(AUDIT_DAY_PREFIX)


SUPPRESSION_PREFIX = "SUPPRESS#"


def suppression(digest: str) -> dict[str, str]:
    return {"PK": f"{SUPPRESSION_PREFIX}{digest}", "SK": "SUPPRESS"}


def digest_of_suppression(pk: str) -> str:
    return pk.removeprefix(SUPPRESSION_PREFIX)


SUPPRESSED_PK = "SUPPRESSED"


def suppression_listing(digest: str) -> dict[str, str]:
    return {"PK": SUPPRESSED_PK, "SK": digest}


PRIVACY_PK = "PRIVACY"
ERASURE_PREFIX = "ERASURE#"


def erasure(erasure_id: str) -> dict[str, str]:
    return {"PK": PRIVACY_PK, "SK": f"{ERASURE_PREFIX}{erasure_id}"}


RETENTION_PREFIX = "RETENTION#"


def retention_job(job_id: str) -> dict[str, str]:
    return {"PK": PRIVACY_PK, "SK": f"{RETENTION_PREFIX}{job_id}"}


WORK_SUFFIX = "#WORK"


def erasure_work(erasure_id: str) -> dict[str, str]:
    return {"PK": PRIVACY_PK, "SK": f"{ERASURE_PREFIX}{erasure_id}{WORK_SUFFIX}"}


def is_erasure_work(sk: str) -> bool:
    return sk.endswith(WORK_SUFFIX)


IDEMPOTENCY_PREFIX = "IDEMPOTENCY#"


def idempotency(digest: str) -> dict[str, str]:
    return {"PK": f"{IDEMPOTENCY_PREFIX}{digest}", "SK": "IDEMPOTENCY"}


ACCESS_PREFIX = "ACCESS#"


def access_request(request_id: str) -> dict[str, str]:
    return {"PK": PRIVACY_PK, "SK": f"{ACCESS_PREFIX}{request_id}"}


def contact_notes_pk(contact_id: str) -> str:
    return f"NOTES#{contact_id}"


def contact_note(contact_id: str, created_at: str, note_id: str) -> dict[str, str]:
    return {"PK": contact_notes_pk(contact_id), "SK": f"{created_at}#{note_id}"}


WRAPUP_PK = "WRAPUP"


def wrapup_codes() -> dict[str, str]:
    return {"PK": WRAPUP_PK, "SK": "CODES"}


FOLLOWUPS_PREFIX, CALLBACK_SYNC_PK = "FOLLOWUPS#", "CALLBACKSYNC"
RECENT_PREFIX = "RECENT#"


def recent_contact(agent: str, contact_id: str, at: str) -> dict[str, str]:
    """An agent's opening of a card; GSI1 orders an agent's newest first."""
    return {"PK": f"{RECENT_PREFIX}{agent}", "SK": contact_id, "GSI1PK": recent_pk(agent), "GSI1SK": at}


def recent_pk(agent: str) -> str:
    return f"{RECENT_PREFIX}{agent}"


def followups_pk(contact_id: str) -> str:
    return f"{FOLLOWUPS_PREFIX}{contact_id}"


def followup(contact_id: str, followup_id: str) -> dict[str, str]:
    return {"PK": followups_pk(contact_id), "SK": followup_id}


def followup_listing(owner: str, state: str, due_at: str, followup_id: str) -> dict[str, str]:
    """GSI1 attributes listing a follow-up under its owner and state, soonest due first."""
    return {"GSI1PK": followup_owner_pk(owner, state), "GSI1SK": f"{due_at}#{followup_id}"}


def followup_owner_pk(owner: str, state: str) -> str:
    return f"{FOLLOWUPS_PREFIX}{owner}#{state}"


def followup_pointer(followup_id: str) -> dict[str, str]:
    return {"PK": f"FOLLOWUP#{followup_id}", "SK": "FOLLOWUP"}


def callback_sync(followup_id: str) -> dict[str, str]:
    return {"PK": CALLBACK_SYNC_PK, "SK": followup_id}


WEBHOOKS_PK, WEBHOOK_PREFIX, DELIVERY_PREFIX, DUE_PK = "WEBHOOKS", "HOOK#", "DLV#", "WEBHOOKDUE"


def webhook(webhook_id: str) -> dict[str, str]:
    return {"PK": WEBHOOKS_PK, "SK": f"{WEBHOOK_PREFIX}{webhook_id}"}


def event_day_pk(day: str) -> str:
    return f"EVENTS#{day}"


def outbound_event(at: str, event_id: str) -> dict[str, str]:
    return {"PK": event_day_pk(at[:10]), "SK": f"{at}#{event_id}"}


def deliveries_pk(webhook_id: str) -> str:
    return f"{WEBHOOK_PREFIX}{webhook_id}"


def delivery(webhook_id: str, at: str, event_id: str) -> dict[str, str]:
    return {"PK": deliveries_pk(webhook_id), "SK": f"{DELIVERY_PREFIX}{at}#{event_id}"}


def lane_pk(webhook_id: str, lane: str) -> str:
    return f"LANE#{webhook_id}#{lane}"


def lane_entry(webhook_id: str, lane: str, at: str, event_id: str) -> dict[str, str]:
    return {"PK": lane_pk(webhook_id, lane), "SK": f"{at}#{event_id}"}


def due_entry(next_try: str, webhook_id: str, lane: str) -> dict[str, str]:
    """GSI1 attributes listing a lane's head under the time of its next try."""
    return {"GSI1PK": DUE_PK, "GSI1SK": f"{next_try}#{webhook_id}#{lane}"}


DUPSCAN_PREFIX, DUPLICATES_PK = "DUPSCAN#", "DUPLICATES"


def duplicate_scan(scan_id: str) -> dict[str, str]:
    return {"PK": JOBS_PK, "SK": f"{DUPSCAN_PREFIX}{scan_id}"}


def index_format() -> dict[str, str]:
    """Which index format every stored contact has been written in (``format``)."""
    return {"PK": JOBS_PK, "SK": "INDEX#FORMAT"}


def holders_marked() -> dict[str, str]:
    """Set once a scan has put every stored contact in its holder markers."""
    return {"PK": JOBS_PK, "SK": "HOLDERS#MARKED"}


def duplicate_pair(first: str, second: str) -> dict[str, str]:
    return {"PK": f"DUPPAIR#{first}#{second}", "SK": "PAIR"}


def duplicate_listing(score: float, first: str, second: str) -> dict[str, str]:
    """GSI1 attributes listing a pair most likely first."""
    return {"GSI1PK": DUPLICATES_PK, "GSI1SK": f"{1000 - round(score * 1000):04d}#{first}#{second}"}


def dismissal(first: str, second: str) -> dict[str, str]:
    return {"PK": f"DUPPAIR#{first}#{second}", "SK": "DISMISSED"}


def merge(merge_id: str) -> dict[str, str]:
    return {"PK": f"MERGE#{merge_id}", "SK": "MERGE"}


# (PK prefix or whole PK, SK prefix or None for any) -> entity, the first that matches.
_ENTITIES: tuple[tuple[str, str | None, str], ...] = (
    ("CONTACT#", CONTACT_SK, "contact"),
    ("IDX#", None, "index_entry"),
    ("MERGE#", None, "merge"),
    ("NAME#", None, "name_entry"),
    ("NAMEPAIR#", None, "name_pair_entry"),
    ("BEGINS#", None, "beginning_entry"),
    ("UNIQ#", None, "unique_claim"),
    ("UPDATED#", None, "updated_entry"),
    (SCHEMA_PK, ATTRIBUTE_PREFIX, "attribute"),
    (SCHEMA_PK, "KEY#", "attribute_key_claim"),
    (MAPPING_PK, RULE_PREFIX, "mapping_rule"),
    (JOBS_PK, JOB_PREFIX, "schema_job"),
    (JOBS_PK, DUPSCAN_PREFIX, "duplicate_scan"),
    (JOBS_PK, "HOLDERS#", "holders_marked"),
    (JOBS_PK, "INDEX#", "index_format"),
    ("DUPPAIR#", "PAIR", "duplicate_pair"),
    ("DUPPAIR#", "DISMISSED", "duplicate_dismissal"),
    ("CALL#", None, "call"),
    ("CALLDAYS#", None, "call_day_marker"),
    ("HIST#", None, "history_entry"),
    ("CALLS#", None, "calls_from_entry"),
    ("CALLER#", CALLER_SEEN_SK, "caller_seen"),
    ("HELD#", "HELD", "identifier_holders"),
    ("ATT#", None, "attachment"),
    ("SHORT#", None, "short_link"),
    ("ATTS#", None, "contact_attachment"),
    (API_KEYS_PK, None, "api_key"),
    (DESK_USERS_PK, None, "desk_user"),
    (SYNC_PK, "STATE", "sync_state"),
    (SYNC_PK, SYNC_RUN_PREFIX, "sync_run"),
    (SYNC_PK, SYNC_WRITEBACK_PREFIX, "sync_writeback"),
    ("FORM#", None, "form_token"),
    ("AUDIT#", None, "audit"),
    (SUPPRESSION_PREFIX, None, "suppression"),
    (SUPPRESSED_PK, None, "suppression_listing"),
    (PRIVACY_PK, RETENTION_PREFIX, "retention_job"),
    (PRIVACY_PK, ERASURE_PREFIX, "erasure"),
    (PRIVACY_PK, ACCESS_PREFIX, "access_request"),
    (IDEMPOTENCY_PREFIX, None, "idempotency"),
    ("NOTES#", None, "contact_note"),
    (WRAPUP_PK, None, "wrapup_codes"),
    ("HEALTH", None, "health"),
    (FOLLOWUPS_PREFIX, None, "followup"),
    (RECENT_PREFIX, None, "recent_contact"),
    ("FOLLOWUP#", None, "followup_pointer"),
    (CALLBACK_SYNC_PK, None, "callback_sync"),
    (WEBHOOKS_PK, WEBHOOK_PREFIX, "webhook"),
    ("EVENTS#", None, "outbound_event"),
    (WEBHOOK_PREFIX, DELIVERY_PREFIX, "delivery"),
    ("LANE#", None, "lane_entry"),
)
_WHOLE_PKS = {SCHEMA_PK, MAPPING_PK, JOBS_PK, API_KEYS_PK, DESK_USERS_PK, SYNC_PK, SUPPRESSED_PK, PRIVACY_PK, WRAPUP_PK, "HEALTH",
              WEBHOOKS_PK, CALLBACK_SYNC_PK}


def entity_of(pk: str, sk: str) -> str:
    """What the item under ``pk``/``sk`` is (``"unknown"`` for a key no builder here makes)."""
    for pk_part, sk_part, entity in _ENTITIES:
        pk_matches = pk == pk_part if pk_part in _WHOLE_PKS else pk.startswith(pk_part)
        if pk_matches and (sk_part is None or sk.startswith(sk_part)):
            if entity == "erasure" and is_erasure_work(sk):
                return "erasure_work"
            return entity
    return "unknown"
