"""Index lifecycle: incremental sync, hidden/deleted papers, rebuild, verify, readers reloading."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from paperfeed.papers.models import Paper
from paperfeed.search import reader, service
from paperfeed.search.reader import get_vectors
from paperfeed.search.sync import sync_indexes, verify_indexes
from tests.factories import corpus_record, make_paper, store

pytestmark = pytest.mark.django_db(transaction=True)


def ids(results):
    return [hit.paper.arxiv_id for hit in results.hits]


def test_sync_builds_from_shipped_vectors_then_is_incremental(load_subset, subset):
    papers = load_subset(40)
    first = reader.current()
    assert first is not None and len(first.vectors) == 40 and first.lexical.num_docs == 40
    again = sync_indexes(progress=False)
    assert again.published is False and again.added_or_changed == 0 and again.embedded == 0

    # A new paper (not in the shipped vectors) is embedded; nothing else is touched.
    make_paper("2607.00001", "Quokka detection in drone footage", "We count quokkas from the air.")
    report = sync_indexes(progress=False)
    assert report.added_or_changed == 1 and report.embedded == 1 and report.indexed == 41
    # The reader in this process sees the new generation without a restart.
    assert ids(service.search("quokka"))[0] == "2607.00001"
    assert reader.current().generation == first.generation + 1

    # A changed title re-indexes that paper; its text changed so it is embedded again.
    target = next(iter(papers.values()))
    store([corpus_record({"id": target.arxiv_id, "title": "Wombat burrows as seen by lidar", "abstract": target.abstract,
                   "authors": target.authors, "categories": target.category_list,
                   "date": target.announced.isoformat()}, version=2)])
    report = sync_indexes(progress=False)
    assert report.added_or_changed == 1 and report.embedded == 1
    assert ids(service.search("wombat burrows"))[0] == target.arxiv_id


def test_hidden_and_deleted_papers_leave_the_index(load_subset):
    papers = load_subset(30)
    hidden, deleted = list(papers.values())[:2]
    # update() does not bump updated_at: the id comparison still catches it.
    Paper.objects.filter(pk=hidden.pk).update(hidden=True)
    Paper.objects.filter(pk=deleted.pk).delete()
    assert verify_indexes().drift is True
    report = sync_indexes(progress=False)
    assert report.removed == 2 and report.indexed == 28
    snapshot = reader.current()
    assert hidden.pk not in snapshot.lexical.all_pks() and deleted.pk not in snapshot.vectors.pks
    assert verify_indexes().drift is False
    # Un-hiding brings it back.
    Paper.objects.filter(pk=hidden.pk).update(hidden=False)
    assert sync_indexes(progress=False).added_or_changed == 1
    assert hidden.pk in reader.current().lexical.all_pks()


def test_verify_reports_missing_extra_and_stale(load_subset):
    papers = load_subset(20)
    assert verify_indexes().drift is False
    one, two = list(papers.values())[:2]
    Paper.objects.filter(pk=one.pk).update(title="A different title now")  # stale, watermark not bumped
    Paper.objects.filter(pk=two.pk).delete()  # extra in the index
    extra = make_paper("2607.00002", "Not yet indexed")  # missing from the index
    report = verify_indexes()
    assert report.drift is True and report.damaged is False
    assert report.stale == [one.pk] and report.extra == [two.pk] and report.missing == [extra.pk]
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("index", "--check", stdout=out)
    assert error.value.returncode == 1
    assert "missing 1, extra 1, stale 1" in out.getvalue()
    # --rebuild recreates everything from the database (reusing vectors it already had).
    call_command("index", "--rebuild", "--no-progress", "--json", stdout=(out := StringIO()))
    rebuilt = json.loads(out.getvalue())
    assert rebuilt["indexed"] == 20 and rebuilt["embedded"] == 2  # the new paper and the retitled one
    call_command("index", "--verify", stdout=(out := StringIO()))  # the old name still works
    assert "no drift" in out.getvalue()


def test_get_vectors_for_other_apps(load_subset, subset_vectors, subset):
    papers = load_subset(10)
    pks = [papers[p["id"]].pk for p in subset[:3]]
    found = get_vectors(pks + [10**9])
    assert set(found) == set(pks)
    for p, pk in zip(subset[:3], pks, strict=True):
        vec = found[pk]
        assert vec.shape == (384,) and vec.dtype.name == "float32"
        assert float(vec @ subset_vectors[subset.index(p)]) > 0.999  # float16 storage


def test_second_process_sees_new_generation(load_subset, data_dir):
    """A web process (another interpreter) opens the index read-only and follows new generations."""
    import subprocess
    import sys
    import textwrap

    load_subset(10)
    script = textwrap.dedent(f"""
        import os, sys, time
        os.environ["DJANGO_SETTINGS_MODULE"] = "paperfeed.settings"
        import django; django.setup()
        from django.conf import settings
        from pathlib import Path
        settings.INDEX_DIR = Path({str(data_dir / "index")!r})
        from paperfeed.search.reader import current
        print(len(current().vectors), flush=True)
        sys.stdin.readline()
        print(len(current().vectors), current().lexical.num_docs, flush=True)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True)
    try:
        assert child.stdout.readline().strip() == "10"
        make_paper("2607.00003", "A paper added while the web process runs")
        sync_indexes(progress=False)
        child.stdin.write("\n")
        child.stdin.flush()
        assert child.stdout.readline().split() == ["11", "11"]
    finally:
        child.kill()
        child.wait()
