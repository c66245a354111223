"""Index followers: two nodes (two index dirs) on one database each keep their own index current."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from paperfeed.papers.models import Paper
from paperfeed.search import reader, service
from paperfeed.search.follower import Follower, database_mark
from tests.factories import corpus_record, make_paper, store

pytestmark = pytest.mark.django_db(transaction=True)


class Node:
    """One app node as far as search goes: its own index dir and its own follower."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self.follower = Follower()

    def step(self):
        with override_settings(INDEX_DIR=self.index_dir):
            return self.follower.step()

    def search(self, text: str) -> list[str]:
        with override_settings(INDEX_DIR=self.index_dir):
            return [hit.paper.arxiv_id for hit in service.search(text).hits]

    def indexed(self) -> set[int]:
        with override_settings(INDEX_DIR=self.index_dir):
            return set(reader.current().lexical.all_pks())


@pytest.fixture
def nodes(index_env, subset) -> tuple[Node, Node]:
    store(corpus_record(p) for p in subset[:30])
    return Node(index_env / "node-a" / "index"), Node(index_env / "node-b" / "index")


def test_each_node_builds_its_empty_index_then_publishes_a_new_paper(nodes):
    a, b = nodes
    for node in nodes:
        report = node.step()
        assert report.published and report.indexed == 30 and report.embedded == 0
        assert node.step() is None  # the database did not move: no sync at all
    make_paper("2607.00011", "Quokka detection in drone footage", "We count quokkas from the air.")
    for node in (b, a):
        report = node.step()
        assert report.published and report.added_or_changed == 1 and report.indexed == 31
        assert node.search("quokka")[0] == "2607.00011"
    assert a.indexed() == b.indexed() == set(Paper.objects.values_list("pk", flat=True))


def test_hidden_and_deleted_papers_wake_every_follower(nodes):
    for node in nodes:
        node.step()
    hidden, deleted = Paper.objects.order_by("pk")[:2]
    # update() and delete() leave updated_at alone: the counts in the mark still move.
    Paper.objects.filter(pk=hidden.pk).update(hidden=True)
    Paper.objects.filter(pk=deleted.pk).delete()
    for node in nodes:
        assert node.step().removed == 2
        assert hidden.pk not in node.indexed() and deleted.pk not in node.indexed()


def test_a_node_whose_index_dir_was_wiped_rebuilds_it(nodes):
    import shutil

    a, _ = nodes
    a.step()
    shutil.rmtree(a.index_dir)
    reader.forget()
    report = a.step()  # same database mark, but nothing published here any more
    assert report is not None and report.published and report.indexed == 30


def test_a_damaged_index_is_repaired_on_the_next_pass_without_a_database_change(nodes):
    a, _ = nodes
    a.step()
    with override_settings(INDEX_DIR=a.index_dir):
        vectors = next(a.index_dir.glob("gen-*/vectors/*.npy"))
        vectors.write_bytes(vectors.read_bytes()[:100])  # truncated: the next query sees it
        assert not reader.status().ok
    report = a.step()
    assert report is not None and report.published and report.embedded == 0
    assert a.step() is None  # whole again, and the database did not move
    assert len(a.indexed()) == 30


def test_mark_moves_with_every_kind_of_change(nodes):
    before = database_mark()
    paper = make_paper("2607.00012", "Wombat burrows")
    assert database_mark() != before
    after_add = database_mark()
    Paper.objects.filter(pk=paper.pk).update(hidden=True)
    assert database_mark() != after_add


def test_follow_index_command_builds_an_empty_node(nodes, settings):
    out = StringIO()
    call_command("follow-index", "--passes", "2", "--interval", "0.05", stdout=out)
    text = out.getvalue()
    assert "generation 1:" in text and "30 papers" in text
    assert text.count("generation ") == 1  # the second pass found nothing to do
    assert (Path(settings.INDEX_DIR) / "CURRENT.json").exists()
