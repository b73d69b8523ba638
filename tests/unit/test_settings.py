"""Settings: typed environment variables, read on first use."""
from __future__ import annotations

import pytest

from chalicelib.core.settings import Settings


def test_settings_come_from_the_environment_and_a_bad_value_names_its_variable():
    settings = Settings.from_env({"CIM_PAGE_MAX": "7", "CIM_RCI_WRITEBACK": "yes",
                                  "CIM_CORS_ORIGINS": "https://A.example, https://b.example"})
    assert settings.page_max == 7 and settings.rci_writeback is True and settings.table_name == "cim"
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert "signing_secret" not in repr(settings)  # secrets never reach a log line
    for name, raw in (("CIM_PAGE_MAX", "x"), ("CIM_RCI_WRITEBACK", "maybe"), ("CIM_CACHE_SECONDS", "soon")):
        with pytest.raises(ValueError, match=name):
            Settings.from_env({name: raw})

