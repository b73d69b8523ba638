"""The import contract: arrows run api -> services -> store/integrations;
core, domain and models are importable from anywhere and import none of
those; boto3 lives in the store; nothing imports the development tools; no
cycles. The graph is grimp's (import-linter's engine): it reads every import
statement, the ones a route makes inside its handler (to load its service
on first use) as well as the module's own."""
from __future__ import annotations

import re
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]

# layer -> the chalicelib layers it may import
ALLOWED = {
    "core": {"core"},
    "domain": {"core", "domain", "models"},
    "models": {"core", "domain", "models"},
    "store": {"core", "domain", "models", "store"},
    "integrations": {"core", "domain", "models", "integrations"},
    "services": {"core", "domain", "models", "store", "integrations", "services"},
    "api": {"core", "domain", "models", "services", "api"},
}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    built = grimp.build_graph("chalicelib", "devtools", include_external_packages=True)
    return {m: set(built.find_modules_directly_imported_by(m)) for m in built.modules}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "chalicelib" and len(parts) > 1 and parts[1] in ALLOWED else None


def test_arrows_run_one_way(graph):
    wrong = []
    for module, imported in graph.items():
        layer = _layer(module)
        if layer is None:
            continue
        for target in imported:
            target_layer = _layer(target)
            if target_layer is not None and target_layer not in ALLOWED[layer]:
                wrong.append(f"{module} -> {target}")
    assert not wrong, wrong


def test_boto3_only_in_the_store_and_no_development_code_in_the_runtime(graph):
    wrong = [f"{m} -> {t}" for m, imported in graph.items() if m.startswith("chalicelib.")
             for t in imported
             if (t.split(".")[0] in ("boto3", "botocore") and _layer(m) != "store")
             or t.split(".")[0] in ("devtools", "moto", "tests", "bench")]
    assert not wrong, wrong


def test_no_import_cycles(graph):
    """Tarjan's strongly connected components over the module graph."""
    ours = {m: {t for t in ts if t in graph and t.split(".")[0] in ("chalicelib", "devtools")}
            for m, ts in graph.items() if m.split(".")[0] in ("chalicelib", "devtools")}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in ours[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            # A package importing its own submodule is not a cycle.
            if len(component) > 1 and not all(c.startswith(min(component, key=len)) for c in component):
                cycles.append(sorted(component))

    for node in sorted(ours):
        if node not in index:
            visit(node)
    assert not cycles, cycles


def test_no_service_spells_a_table_key():
    """Keys, prefixes and PK/SK belong to ``chalicelib/store``."""
    spelled = re.compile(r"""["'](PK|SK|GSI1PK|GSI1SK|[A-Z]{2,}#)["']|\bkeys\.[A-Za-z_]""")
    found = [f"{path.relative_to(ROOT)}:{n}" for path in (ROOT / "chalicelib").rglob("*.py")
             if "store" not in path.parts
             for n, line in enumerate(path.read_text().splitlines(), 1) if spelled.search(line)]
    assert not found, found


def test_key_prefixes_and_key_names_are_spelled_only_in_the_entity_that_owns_them():
    """Each kind of item spells its own keys (``store/entities/<family>.py``):
    a prefix (``"AUDIT#"``) spelled in a store module, or in a second entity
    module, or the list of key attributes spelled again, is a second place to change."""
    prefix = re.compile(r"""["']([A-Z_]{2,}#)""")
    names = re.compile(r"""\(\s*["']PK["'],\s*["']SK["']|["']GSI1PK["'],\s*["']GSI1SK["']""")
    store = ROOT / "chalicelib" / "store"
    outside = [f"{path.relative_to(ROOT)}:{n}" for path in store.glob("*.py")
               for n, line in enumerate(path.read_text().splitlines(), 1) if prefix.search(line) or names.search(line)]
    assert not outside, outside
    owners: dict[str, set[str]] = {}
    for path in (store / "entities").glob("*.py"):
        for line in path.read_text().splitlines():
            if '"""' in line or line.lstrip().startswith(("-", "#", "``")):
                continue  # the module's own inventory of its keys
            for spelled in prefix.findall(line):
                owners.setdefault(spelled, set()).add(path.name)
    shared = {p: sorted(o) for p, o in owners.items() if len(o) > 1}
    assert not shared, shared
    key_names = [path.name for path in (store / "entities").glob("*.py") if names.search(path.read_text())]
    assert key_names == ["__init__.py"], key_names


def test_every_kind_of_item_is_an_entity_class_with_its_keys():
    """A new kind is one class in ``store/entities``: a name, the keys it owns, ``keys()``."""
    from chalicelib.store import entities

    kinds = entities.every_kind()
    assert len(kinds) > 40
    for name, kind in kinds.items():
        assert kind.name == name and callable(getattr(kind, "keys", None)), name
        built = kind.keys(*["X"] * (kind.keys.__code__.co_argcount - 1)) if name != "updated_entry" else \
            kind.keys("2026-12-03T00:00:00.000Z", "X")
        assert entities.entity_of(built["PK"], built["SK"]) == name, (name, built)


def test_multi_item_writes_are_built_only_by_the_transaction_builder():
    """Services describe a change (a contact replaced, an audit entry added);
    store modules add its steps to ``store/transaction.Transaction``; only
    that module spells a ``TransactWriteItems`` action or sends one."""
    spelled = re.compile(r"""["'](Put|Update|Delete|ConditionCheck)["']\s*:|\btransact\(|transact_write_items""")
    found = [f"{path.relative_to(ROOT)}:{n}" for path in (ROOT / "chalicelib").rglob("*.py")
             if path.name not in ("transaction.py", "dynamo.py")
             for n, line in enumerate(path.read_text().splitlines(), 1) if spelled.search(line)]
    assert not found, found


def test_a_route_neither_parses_its_body_nor_builds_its_answer_by_hand():
    """The declaration carries the bodies: a handler takes ``body`` (the
    declared model, parsed by the route) and answers the model its route
    declares; only the helpers in ``api/http.py`` dump models, and only the
    route (``api/routing.py``) parses a body, a form or a query into its model."""
    by_hand = re.compile(r"to_response\(\{|Response\(body=\{|(?<![.\w])parse\(|response=dict\b")
    found = [f"{path.relative_to(ROOT)}:{n}" for path in (ROOT / "chalicelib" / "api").glob("*.py")
             if path.name not in ("http.py", "routing.py")
             for n, line in enumerate(path.read_text().splitlines(), 1)
             if by_hand.search(line) and '"/openapi.json"' not in line]  # the document is its own schema
    assert not found, found


def test_the_contract_would_catch_a_wrong_arrow(graph):
    """The checks above can fail: a store module importing a service is caught."""
    graph = {m: set(ts) for m, ts in graph.items()}
    graph["chalicelib.store.contacts"].add("chalicelib.services.contacts.contacts")
    with pytest.raises(AssertionError):
        test_arrows_run_one_way(graph)
    graph["chalicelib.services.contacts.contacts"].add("chalicelib.store.contacts")
    with pytest.raises(AssertionError):
        test_no_import_cycles(graph)
