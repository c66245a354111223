"""A damaged index is detected (IndexDamaged, status, ``index --check``) and ``paperfeed index`` repairs it.

Real files are damaged the ways disks and people damage them: deleted, truncated, overwritten with
garbage of another size or of the same size (only a checksum sees that), the manifest and the
``CURRENT.json`` pointer deleted or garbled, the writer's state overwritten.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from paperfeed.search import manifest, reader
from paperfeed.search.reader import IndexDamaged
from paperfeed.search.sync import sync_indexes, verify_indexes
from tests.factories import make_paper

pytestmark = pytest.mark.django_db(transaction=True)
PAPERS = 30


def garbage(size: int) -> bytes:
    return (b"\x00\xffgarbage\x13\x37" * (size // 12 + 1))[:size]


def gen_dir(index: Path) -> Path:
    return index / json.loads((index / "CURRENT.json").read_text())["dir"]


def overwrite_same_size(path: Path, offset: int = 0) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write(garbage(size - offset))


def delete_lexical(index: Path) -> None:
    shutil.rmtree(gen_dir(index) / "lexical")


def garbage_in_lexical(index: Path) -> None:
    for path in (gen_dir(index) / "lexical").iterdir():
        path.write_bytes(garbage(97))


def garbled_lexical_meta(index: Path) -> None:
    overwrite_same_size(gen_dir(index) / "lexical" / "meta.json")


def truncate_vectors(index: Path) -> None:
    path = gen_dir(index) / "vectors" / "vectors.f16.npy"
    os.truncate(path, path.stat().st_size // 2)


def delete_manifest(index: Path) -> None:
    (gen_dir(index) / "manifest.json").unlink()


def garble_manifest(index: Path) -> None:
    (gen_dir(index) / "manifest.json").write_text('{"generation": 1, "files": [')


def delete_pointer(index: Path) -> None:
    (index / "CURRENT.json").unlink()


def garble_pointer(index: Path) -> None:
    (index / "CURRENT.json").write_bytes(garbage(40))


# What the damage does, and what the reason says in a process that had the generation open and in a new one.
DAMAGE: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "lexical dir deleted": (delete_lexical, *["gen-1/lexical/.managed.json is missing"] * 2),
    "garbage in the lexical dir": (garbage_in_lexical, *["has 97 bytes"] * 2),
    "lexical meta garbled, same size": (garbled_lexical_meta, "gen-1/lexical/meta.json was rewritten",
                                        "gen-1 cannot be opened"),
    "vector file truncated": (truncate_vectors, *["gen-1/vectors/vectors.f16.npy has"] * 2),
    "manifest deleted": (delete_manifest, *["gen-1/manifest.json is missing"] * 2),
    "manifest garbled": (garble_manifest, "gen-1/manifest.json was rewritten", "the manifest is garbled"),
    "pointer deleted": (delete_pointer, *["CURRENT.json is missing"] * 2),
    "pointer garbled": (garble_pointer, *["CURRENT.json is garbled"] * 2),
}


def check_output() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("index", "--check", stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue()
    return 0, out.getvalue()


def repair() -> dict:
    """``paperfeed index`` with no flag, as a person would run it."""
    out = StringIO()
    call_command("index", "--no-progress", "--json", stdout=out)
    return json.loads(out.getvalue())


def wait_until(condition: Callable[[], bool], seconds: float = 60) -> None:
    """Poll for what a background thread does (the reader's checksum pass)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the background checksum did not finish"
        time.sleep(0.02)


def assert_whole(papers: int) -> None:
    snapshot = reader.current()
    assert snapshot.lexical.num_docs == papers and len(snapshot.vectors) == papers
    assert manifest.checksum_problems(snapshot.path, snapshot.manifest) == []
    status = reader.status()
    assert status.ok and status.papers == papers and status.generation == snapshot.generation
    assert verify_indexes().drift is False


def test_every_generation_has_a_manifest_and_is_never_changed(load_subset, index_env):
    load_subset(PAPERS)
    index = index_env / "index"
    first = gen_dir(index)
    written = manifest.load(first)
    assert written.format == manifest.FORMAT_VERSION and written.papers == PAPERS and written.generation == 1
    assert set(written.files) == set(manifest.content_files(first))
    assert {"lexical/meta.json", "vectors/vectors.f16.npy", "vectors/pks.npy"} <= set(written.files)
    for rel, entry in written.files.items():
        assert (first / rel).stat().st_size == entry.size and manifest.checksum(first / rel) == entry.blake2b

    make_paper("2607.00021", "Quokka detection in drone footage", "We count quokkas from the air.")
    report = sync_indexes(progress=False)
    assert report.published and report.generation == 2 and not report.repaired
    second = gen_dir(index)
    assert second.name == "gen-2" and manifest.load(second).papers == PAPERS + 1
    # The new generation shares the old one's unchanged segments, and the old one is still whole.
    shared = [rel for rel in written.files if rel.startswith("lexical/") and (second / rel).exists()
              and os.path.samefile(first / rel, second / rel)]
    assert shared
    assert manifest.checksum_problems(first, written) == []
    assert_whole(PAPERS + 1)
    status = reader.status()
    assert status.built_at == manifest.load(second).created


def test_no_index_built_is_none_not_damage(index_env):
    assert reader.current() is None
    status = reader.status()
    assert status.ok is False and "no index" in status.reason and status.generation is None


@pytest.mark.parametrize("name", list(DAMAGE))
def test_damage_is_detected_and_paperfeed_index_repairs_it(name, load_subset, index_env):
    damage, *expected = DAMAGE[name]
    load_subset(PAPERS)
    index = index_env / "index"
    assert reader.current() is not None  # a web process has the generation open and checked ...
    wait_until(lambda: reader.status().checksummed)
    damage(index)  # ... when its files are damaged
    for fresh_process in (False, True):
        if fresh_process:
            reader.forget()
        with pytest.raises(IndexDamaged) as caught:
            reader.current()
        assert expected[fresh_process] in caught.value.reason
        status = reader.status()
        assert status.ok is False and status.reason == caught.value.reason
    code, out = check_output()
    assert code == 1 and "DAMAGED" in out
    report = repair()
    assert report["published"] and report["repaired"] and report["embedded"] == 0
    assert report["indexed"] == PAPERS
    assert_whole(PAPERS)
    assert check_output()[0] == 0


def test_same_size_garbage_is_found_by_the_checksum(load_subset, index_env):
    """Bytes overwritten in place keep every size: the background checksum (readers), --check and sync see it."""
    load_subset(PAPERS)
    index = index_env / "index"
    overwrite_same_size(gen_dir(index) / "vectors" / "vectors.f16.npy", offset=256)
    reader.forget()
    with contextlib.suppress(IndexDamaged):  # sizes match and the file opens; the checksum may be done already
        reader.current()
    wait_until(lambda: not reader.status().ok)
    status = reader.status()
    assert status.ok is False and "vectors/vectors.f16.npy does not match its checksum" in status.reason
    with pytest.raises(IndexDamaged):
        reader.current()
    code, out = check_output()
    assert code == 1 and "does not match its checksum" in out
    report = repair()
    assert "does not match its checksum" in report["repaired"] and report["embedded"] == 0
    assert_whole(PAPERS)
    wait_until(lambda: reader.status().checksummed)


def test_a_garbled_writer_state_is_set_aside_and_rebuilt(load_subset, index_env):
    load_subset(PAPERS)
    index = index_env / "index"
    state = index / "state.sqlite3"
    for suffix in ("-wal", "-shm"):
        Path(f"{state}{suffix}").unlink(missing_ok=True)
    state.write_bytes(garbage(8192))
    report = sync_indexes(progress=False)
    assert report.published and report.repaired and report.indexed == PAPERS and report.embedded == 0
    assert (index / "state.sqlite3.damaged").read_bytes() == garbage(8192)
    assert_whole(PAPERS)


def test_incremental_sync_repairs_damage_and_keeps_new_papers(load_subset, index_env):
    """Damage found by a routine sync (the worker's) is repaired in the same run that adds new papers."""
    load_subset(PAPERS)
    truncate_vectors(index_env / "index")
    make_paper("2607.00022", "Wombat burrows as seen by lidar", "Lidar scans of wombat burrows.")
    report = sync_indexes(progress=False)
    assert "vectors.f16.npy" in report.repaired and report.indexed == PAPERS + 1 and report.embedded == 1
    assert_whole(PAPERS + 1)


def test_an_index_from_format_1_is_rebuilt_from_its_own_vectors(load_subset, index_env, settings, tmp_path):
    """An index written before manifests existed: readers refuse it, sync rebuilds it with no model call."""
    load_subset(PAPERS)
    index = index_env / "index"
    gen = gen_dir(index)
    fingerprint = manifest.load(gen).fingerprint
    # Format 1: lexical-<n>/ and vectors-<n>/ side by side, a pointer naming both, vectors inside docs.
    shutil.move(gen / "lexical", index / "lexical-1")
    shutil.move(gen / "vectors", index / "vectors-1")
    shutil.rmtree(gen)
    (index / "CURRENT.json").write_text(json.dumps({"generation": 1, "lexical": "lexical-1", "vectors": "vectors-1",
                                                    "fingerprint": fingerprint, "docs": PAPERS}))
    db = sqlite3.connect(index / "state.sqlite3")
    db.execute("CREATE TABLE docs1 AS SELECT d.pk, d.arxiv_id, d.version, d.doc_hash, d.text_hash, d.fingerprint, "
               "d.day, d.categories, v.vec FROM docs d JOIN vectors v USING (text_hash, fingerprint)")
    db.execute("DROP TABLE docs")
    db.execute("DROP TABLE vectors")
    db.execute("ALTER TABLE docs1 RENAME TO docs")
    db.commit()
    db.close()
    settings.SEARCH_SHIPPED_VECTORS = str(tmp_path / "nothing-shipped")  # only the old state can spare the model
    reader.forget()
    with pytest.raises(IndexDamaged, match="older paperfeed"):
        reader.current()
    report = sync_indexes(progress=False)
    assert report.repaired and report.embedded == 0 and report.vectors_reused == PAPERS
    assert_whole(PAPERS)
