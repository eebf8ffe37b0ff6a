"""The embedded store's data dir holds personal data: only its owner may read it."""

from __future__ import annotations

from pathlib import Path


def test_the_embedded_data_dir_is_its_owners_only(tmp_path: Path) -> None:
    """Personal data on disk: the folder 0700, the journal and the taxonomy snapshot 0600."""
    import stat

    from graph.backends.memory.graph_store import MemoryStore

    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    store = MemoryStore(data).open()
    try:
        assert stat.S_IMODE(data.stat().st_mode) == 0o700
        assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in data.iterdir() if p.is_file())
    finally:
        store.close()
