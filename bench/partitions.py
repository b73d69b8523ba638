"""Partition heat beyond this machine: how much of one DynamoDB partition's
limits (3,000 read units and 1,000 write units a second, for a table's key
and for an index's key alike) the busiest key of each kind takes at the
peak, for a deployment of 10 million contacts and 1 million calls a day
whose peak is 500 calls a second.

Names are drawn with real frequencies (Faker's weighted lists, several
locales) and split into the index's words by the service's own
``names.name_words``; every key is made by the service's own entity classes in
``store/entities/``. What each call does at the peak (the workload mix) and
what each item weighs are the assumptions below, stated with their reasons;
change them on the command line.

    python -m bench.partitions [--calls 500] [--contacts 10000000] [--sample 100000]

It prints one row per kind of key (the hottest key of that kind, its read
and write units a second, its share of a partition's limits) and fails
(exit 1) when a key passes ``--target`` (10 %).
"""
from __future__ import annotations

import argparse
import collections
import json
import math
import sys
from dataclasses import dataclass

from chalicelib.domain import names
from chalicelib.store.entities.calls import CallDayItem, CallItem
from chalicelib.store.entities.contacts import ContactItem, UpdatedItem
from chalicelib.store.entities.search import IndexItem, NameBeginsItem, NameItem, NamePairItem, NameTripleItem

READ_LIMIT, WRITE_LIMIT = 3000.0, 1000.0  # units a second one partition serves
LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "fi_FI", "sv_SE", "pt_BR", "nl_NL")

# What one call brings at the peak, on average (a voice contact center).
MIX = {
    "ivr lookups": 1.0,       # the IVR asks who is calling, once
    "leg saves": 3.0,         # IVR leg, agent leg, wrap-up (a transfer adds one)
    "cards opened": 0.8,      # the agent's screen pop (not every call reaches an agent)
    "name searches": 0.2,     # an agent searches when the number is unknown or shared
    "contact creates": 0.05,  # a new caller now and then
    "contact edits": 0.1,     # an agent corrects or adds a field
}
# Item sizes in KB, as written by the service (measured on the emulator's items).
SIZE_KB = {"index entry with card": 0.5, "name entry": 0.7, "contact": 1.5, "tree": 3.0, "history entry": 0.1,
           "updated entry": 0.1, "list entry": 0.1}


def write_units(kb: float, transactional: bool = True) -> float:
    return math.ceil(kb) * (2 if transactional else 1)


def read_units(kb: float, consistent: bool = True) -> float:
    return math.ceil(kb / 4) * (1 if consistent else 0.5)


@dataclass
class Heat:
    kind: str
    hottest: str
    reads: float
    writes: float
    why: str

    @property
    def share(self) -> float:
        return max(self.reads / READ_LIMIT, self.writes / WRITE_LIMIT)


def name_letter_shares(sample: int) -> collections.Counter:
    """The share of name-index words under each ``NAME#<letter>`` key, from
    ``sample`` people drawn with their locale's real name frequencies."""
    counts: collections.Counter = collections.Counter()
    for words in _people(sample):
        for word in words:
            counts[NameItem.pk_of(word)] += 1
    total = sum(counts.values())
    return collections.Counter({k: v / total for k, v in counts.items()})


def name_pair_shares(sample: int) -> collections.Counter:
    """The share of people with a pair entry under each ``NAMEPAIR#<word>``
    key (a name holding that word among its paired ones)."""
    counts: collections.Counter = collections.Counter()
    for words in _people(sample):
        for word in {a for a, _ in names.pairs(words)}:
            counts[NamePairItem.pk_of(word)] += 1
    return collections.Counter({k: v / sample for k, v in counts.items()})


def entries_per_person(sample: int, keys_of) -> collections.Counter:
    """How many entries a person has, on average, under each key ``keys_of(words)`` names."""
    counts: collections.Counter = collections.Counter()
    for words in _people(sample):
        counts.update(keys_of(words))
    return collections.Counter({k: v / sample for k, v in counts.items()})


def beginning_shares(sample: int) -> collections.Counter:
    """Entries a person has under each ``NAMEBEGINS#<three letters>`` key."""
    return entries_per_person(sample, lambda words: [NameBeginsItem.pk_of(b) for _, b in names.beginning_pairs(words)])


def triple_shares(sample: int) -> collections.Counter:
    """Entries a person has under each ``NAMETRIPLE#<word>#<word>`` key."""
    return entries_per_person(sample, lambda words: [NameTripleItem.pk_of(a, b) for a, b, _ in names.triples(words)])


def _people(sample: int) -> list[list[str]]:
    from faker import Faker

    fake = Faker(list(LOCALES))
    fake.seed_instance(2026)
    return [names.name_words(fake.first_name(), fake.last_name()) for _ in range(sample)]


def heats(calls: float, contacts: int, letters: collections.Counter, pairs: collections.Counter,
          beginnings: collections.Counter | None = None, triples: collections.Counter | None = None) -> list[Heat]:
    rate = {op: calls * per_call for op, per_call in MIX.items()}
    contact_writes = rate["contact creates"] + rate["contact edits"]
    # An edit moves the contact's last-change entry: a delete and a put (a create only puts).
    entry_moves = rate["contact creates"] + 2 * rate["contact edits"]
    letter, share = letters.most_common(1)[0]
    pair_key, pair_share = pairs.most_common(1)[0]
    shard = CallItem.day_listing("2026-12-03T10:00:00.000Z", "CALL-1")["GSI1PK"]
    # Half the searches are one word (a page: 25 entries), half two: their exact pairs, and when those do
    # not fill the page the beginning entries (a page each). A tenth of the two-word searches type a word
    # of one or two letters beside the finished one: the filtered read of one letter's entries, up to 500.
    page = read_units(25 * SIZE_KB["name entry"], consistent=False)
    per_search = 0.5 * page + 0.05 * read_units(min(1000, 20 * 25) * SIZE_KB["name entry"], consistent=False)
    beginning_key, beginning_share = (beginnings or collections.Counter({"-": 0.0})).most_common(1)[0]
    triple_key, triple_share = (triples or collections.Counter({"-": 0.0})).most_common(1)[0]
    name_rows = [
        Heat("name beginnings", beginning_key,
             reads=rate["name searches"] * 0.5 * min(1.0, beginning_share) * page,
             writes=contact_writes * beginning_share * write_units(SIZE_KB["name entry"]),
             why=f"a person has {beginning_share:.2f} entries here on average (a word starting with these "
                 "letters paired with each other word); a two-word search short of exact matches reads a page; "
                 "every create and edit rewrites them"),
        Heat("name triples", triple_key,
             reads=rate["name searches"] * 0.1 * min(1.0, triple_share) * page,
             writes=contact_writes * triple_share * write_units(SIZE_KB["name entry"]),
             why=f"a person has {triple_share:.3f} entries here on average (names of three words or more); "
                 "a tenth of the searches type three words"),
    ] if beginnings is not None else []
    return name_rows + [
        Heat("number entry (IVR lookup)", IndexItem.pk_of("phone", "+14155550100"),
             reads=1 / 60 * read_units(SIZE_KB["index entry with card"]), writes=0.0,
             why="one caller calls at most once a minute; the lookup is one strongly consistent read of its entry"),
        Heat("name entries", letter, reads=rate["name searches"] * share * per_search,
             writes=contact_writes * 2 * share * write_units(SIZE_KB["name entry"]),
             why=f"{share:.1%} of name words start here; a search reads a page of 25, or (two words, their "
                 "pairs short of a page) up to 500 entries of one letter; every create and edit writes 2 words "
                 "(they carry the contact)"),
        Heat("name pairs", pair_key, reads=rate["name searches"] * 0.5 * pair_share * page,
             writes=contact_writes * pair_share * write_units(SIZE_KB["name entry"]),
             why=f"{pair_share:.1%} of people have this word; a two-word search reads a page of 25 of its "
                 "pairs; every create and edit of such a person writes its pair"),
        Heat("call days (GSI1)", shard, reads=0.0,
             writes=rate["leg saves"] * write_units(SIZE_KB["tree"], transactional=False) / CallItem.DAY_SHARDS,
             why=f"every leg save rewrites its tree, projected whole under its day's shard "
                 f"(one of {CallItem.DAY_SHARDS}, by the call's id)"),
        Heat("call day marker", CallDayItem.keys("2026-12-03")["PK"], reads=0.0, writes=1000 / 86400,
             why="written once a day by each container that saves a call (1,000 containers)"),
        Heat("contact list (GSI1)", ContactItem.listing("2026-12-03T10:00:00.000Z", "C")["GSI1PK"], reads=0.0,
             writes=contact_writes * write_units(SIZE_KB["contact"], transactional=False) / ContactItem.LISTING_SHARDS,
             why=f"every create and edit rewrites the contact, projected whole under its shard "
                 f"(one of {ContactItem.LISTING_SHARDS}, by the contact's id)"),
        Heat("last changes", UpdatedItem.keys("2026-12-03T10:00:00.000Z", "C")["PK"], reads=0.0,
             writes=entry_moves * write_units(SIZE_KB["updated entry"]) / UpdatedItem.SHARDS,
             why=f"every contact write moves its one entry (an edit: a delete and a put) into this month's, "
                 f"one of {UpdatedItem.SHARDS} shards by the contact's id"),
        Heat("a call's tree", CallItem.keys("CALL-1")["PK"], reads=3 / 300 * read_units(SIZE_KB["tree"]),
             writes=3 / 300 * write_units(SIZE_KB["tree"]),
             why="3 legs over a 5-minute call"),
        Heat("a contact (its item, history, notes)", ContactItem.keys("C")["PK"],
             reads=1 / 60 * 6, writes=1 / 60 * write_units(SIZE_KB["contact"]),
             why="its caller calls at most once a minute; a card is 6 reads"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=float, default=500.0, help="calls a second at the peak")
    parser.add_argument("--contacts", type=int, default=10_000_000)
    parser.add_argument("--sample", type=int, default=100_000, help="people drawn for the name frequencies")
    parser.add_argument("--target", type=float, default=0.10, help="the largest share of a partition a key may take")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    rows = heats(args.calls, args.contacts, name_letter_shares(args.sample), name_pair_shares(args.sample),
                 beginning_shares(args.sample), triple_shares(args.sample))
    if args.json:
        print(json.dumps([r.__dict__ | {"share": round(r.share, 4)} for r in rows], indent=2))
    else:
        print(f"{args.contacts:,} contacts, {args.calls:g} calls/s at the peak; a partition serves "
              f"{READ_LIMIT:,.0f} RCU and {WRITE_LIMIT:,.0f} WCU a second")
        print(f"{'kind of key':38} {'hottest key':28} {'RCU/s':>8} {'WCU/s':>8} {'share':>7}")
        for r in rows:
            flag = "  OVER" if r.share > args.target else ""
            print(f"{r.kind:38} {r.hottest[:28]:28} {r.reads:8.1f} {r.writes:8.1f} {r.share:7.1%}{flag}")
    return 1 if any(r.share > args.target for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
