"""Modules loaded on first use.

A Lambda container serves whatever routes its traffic needs. The route
modules name their services through ``lazy()``, so a cold start pays for the
services of the routes it actually serves (an IVR lookup never loads the
attachment, sync or schema-job code) instead of all of them at import.
"""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class _LazyModule(ModuleType):
    """Stands in for a module until one of its names is used; then imports
    it (the import system's own locks make that thread-safe) and forwards."""

    def __getattr__(self, name: str) -> Any:
        module = importlib.import_module(self.__name__)
        return getattr(module, name)


def lazy(name: str) -> Any:
    """A stand-in for module ``name`` that imports it on first use."""
    return _LazyModule(name)
