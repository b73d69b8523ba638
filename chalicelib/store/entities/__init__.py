"""Every kind of item the one table holds is a class here, one module per
family of kinds: each spells its own keys (``keys()``, its partition key,
its GSI1 attributes), reads them back, and says which keys are its own, so
``entity_of`` tells what any item is (a scan, an export, a stream consumer).

A kind registers itself when its module is imported. A writer has always
imported the kind it writes, so stamping ``entity`` on a write needs no
other module; ``entity_of`` imports the rest only for a key no loaded kind owns.
"""
from __future__ import annotations

import importlib
import pkgutil
import zlib
from dataclasses import asdict, fields
from typing import Any, ClassVar, Self

# The key attributes every item has (the table's) and may have (GSI1's): the one place they are named.
TABLE_KEY = ("PK", "SK")
CONTACTS_GSI = "GSI1"
CONTACTS_GSI_KEY = ("GSI1PK", "GSI1SK")
ALL_KEYS = TABLE_KEY + CONTACTS_GSI_KEY
# Every item also says what it is, so a scan, an export or a stream consumer
# knows what it reads. Readers never see it.
ENTITY = "entity"
STORAGE_ATTRIBUTES = ALL_KEYS + (ENTITY,)

Key = dict[str, str]


class Record:
    """A stored kind's typed record (a dataclass): ``from_item`` builds it
    from an item's attributes, leaving out any it does not name (one an
    older or newer writer kept)."""

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Self:
        return cls(**known_fields(cls, item))

    def item(self) -> dict[str, Any]:
        """Its attributes as stored, those unset left out (``from_item`` gives them their defaults)."""
        return {k: v for k, v in asdict(self).items() if v is not None}


def known_fields(kind: type, item: dict[str, Any]) -> dict[str, Any]:
    """The attributes of ``item`` the dataclass ``kind`` has fields for."""
    names = {f.name for f in fields(kind)}
    return {k: v for k, v in item.items() if k in names}


def bare(item: dict[str, Any]) -> dict[str, Any]:
    """A decoded item without its keys and ``entity``."""
    return {k: v for k, v in item.items() if k not in STORAGE_ATTRIBUTES}


class Entity:
    """One kind of item. ``pk`` is its whole partition key when ``shared_pk``
    (a partition several kinds share, told apart by ``sk``, their sort-key
    beginning), else its partition key's beginning. ``record``: the typed
    record its items are read into (a ``Record`` or a pydantic model), if any."""

    name: ClassVar[str]
    pk: ClassVar[str]
    sk: ClassVar[str | None] = None
    shared_pk: ClassVar[bool] = False
    record: ClassVar[Any] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            _KINDS[cls.name] = cls

    @classmethod
    def owns(cls, pk: str, sk: str) -> bool:
        pk_matches = pk == cls.pk if cls.shared_pk else pk.startswith(cls.pk)
        return pk_matches and (cls.sk is None or sk.startswith(cls.sk))

    @classmethod
    def specificity(cls) -> tuple[bool, int, int]:
        return cls.shared_pk, len(cls.pk), len(cls.sk or "")

    @classmethod
    def stamp(cls) -> dict[str, str]:
        """The ``entity`` attribute of its items."""
        return {ENTITY: cls.name}

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Any:
        """An item of this kind (decoded) as its reader knows it: its record,
        or for a kind without one its attributes without keys and ``entity``."""
        attributes = bare(item)
        if cls.record is None:
            return attributes
        if hasattr(cls.record, "model_validate"):  # a pydantic model: the fields it declares, by name or alias
            declared = cls.record.model_fields
            named = set(declared) | {f.alias for f in declared.values() if f.alias}
            return cls.record.model_validate({k: v for k, v in attributes.items() if k in named})
        return cls.record.from_item(attributes)


_KINDS: dict[str, type[Entity]] = {}


def entity_of(pk: str, sk: str) -> str:
    """What the item under ``pk``/``sk`` is (``"unknown"`` for a key no kind owns)."""
    kind = _owner(pk, sk)
    if kind is None:
        load_every_kind()
        kind = _owner(pk, sk)
    return kind.name if kind else "unknown"


def _owner(pk: str, sk: str) -> type[Entity] | None:
    owners = [k for k in _KINDS.values() if k.owns(pk, sk)]
    return max(owners, key=lambda k: k.specificity()) if owners else None


def every_kind() -> dict[str, type[Entity]]:
    load_every_kind()
    return dict(_KINDS)


_every_kind_loaded: list[bool] = []


def load_every_kind() -> None:
    """Import each family's module, once (a key no kind owns asks again and again)."""
    if _every_kind_loaded:
        return
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    _every_kind_loaded.append(True)


def shard(identity: str, shards: int) -> str:
    """Which of ``shards`` keys an item goes under (the same for one id on every write),
    spreading the writes one key would take all of."""
    return f"{zlib.crc32(identity.encode()) % shards:0{len(str(shards - 1))}d}"


def every_shard(pk: str, shards: int) -> list[str]:
    """Every key of a sharded ``pk``, for the reader."""
    return [f"{pk}#{n:0{len(str(shards - 1))}d}" for n in range(shards)]
