"""The example catalog directory of docs/catalog-format.md is valid and means what it says."""

from __future__ import annotations

from pathlib import Path

from modelcatalog.catalog import CatalogSnapshot, Mode, check_catalog, read_source

EXAMPLE = Path(__file__).parent / "example"


def _snapshot() -> CatalogSnapshot:
    checked = check_catalog(read_source(EXAMPLE), Mode.STRICT)
    assert [str(f) for f in checked.findings] == []
    return CatalogSnapshot.from_checked(checked)


def test_example_catalog_is_valid_in_strict_mode() -> None:
    snapshot = _snapshot()
    assert [m.id for m in snapshot.models] == [
        "large-chat",
        "old-chat",
        "small-chat",
        "clone-voice",
    ]


def test_traits_and_aliases_come_from_the_files() -> None:
    snapshot = _snapshot()
    assert {t: dict(m) for t, m in snapshot.traits.items()} == {
        "text": {"default": "large-chat", "fastest": "small-chat"},
        "tts": {"default": "clone-voice"},
    }
    assert {t: dict(m) for t, m in snapshot.aliases.items()} == {
        "text": {"gpt-4o": "large-chat", "gpt-4o-mini": "small-chat"}
    }


def test_operator_settings_are_applied_and_never_served() -> None:
    voice = _snapshot().by_id["clone-voice"]
    assert voice.public_voice_cloning is True
    assert "x-catalog" not in voice.wire
    assert "voice_cloning" in voice.wire["model_spec"]
