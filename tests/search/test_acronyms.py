"""Acronym meanings mined from real papers: definitions, the table a generation keeps, expansion, groups.

``tests/fixtures/acronyms.jsonl.gz`` holds 121 real papers of the shared corpus, cut by
``python benchmarks/acronyms.py --fixture …``: papers defining SSL as self-supervised learning,
semi-supervised learning or sound source localization, ASR (automatic speech recognition,
attack success rate) and MAE (mean absolute error, masked autoencoder), papers about one of
those meanings that never write "SSL", and filler. Their vectors are embedded once per session
and handed to sync as shipped vectors, as for the other search tests.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from paperfeed.search import acronyms
from paperfeed.search.acronyms import AcronymTable, definitions, long_form_key
from tests.factories import corpus_record, make_paper, store

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "acronyms.jsonl.gz"


@pytest.fixture(scope="session")
def papers() -> list[dict]:
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="session")
def shipped_acronyms(papers, embedder, tmp_path_factory) -> Path:
    from paperfeed.search.embedder import paper_text
    from paperfeed.search.sync import text_hash, write_shipped_vectors

    vectors = embedder.encode([paper_text(p["title"], p["abstract"]) for p in papers], batch_size=32)
    directory = tmp_path_factory.mktemp("shipped-acronyms")
    write_shipped_vectors(directory, [p["id"] for p in papers], [text_hash(p["title"], p["abstract"]) for p in papers],
                          vectors, embedder.fingerprint)
    return directory


@pytest.fixture
def indexed(papers, data_dir, settings, shipped_acronyms):
    """The fixture papers stored and indexed; returns {arxiv_id: Paper}."""
    from paperfeed.papers.models import Paper
    from paperfeed.search import reader
    from paperfeed.search.sync import sync_indexes

    settings.SEARCH_SHIPPED_VECTORS = str(shipped_acronyms)
    reader.forget()
    store(corpus_record(p) for p in papers)
    report = sync_indexes(progress=False)
    assert report.embedded == 0, report
    yield {p.arxiv_id: p for p in Paper.objects.all()}
    reader.forget()


def _defines(paper: dict, short: str, long_pattern: str) -> bool:
    """Independent of the miner: the text writes "<long form> (<short>)" literally."""
    text = re.sub(r"\s+", " ", f"{paper['title']}. {paper['abstract']}")
    return re.search(rf"{long_pattern}\s*\({short}s?\)", text, re.IGNORECASE) is not None


# --------------------------------------------------------------------------- mining


@pytest.mark.parametrize(("text", "expected"), [
    ("We study self-supervised learning (SSL) for speech.", [("SSL", "self-supervised learning")]),
    ("Browsers check SSL (Secure Sockets Layer) certificates.", [("SSL", "Secure Sockets Layer")]),
    ("We train with proximal policy optimization (PPO).", [("PPO", "proximal policy optimization")]),
    ("Large language models (LLMs) are everywhere.", [("LLM", "Large language models")]),
    ("A Mixture-of-Experts (MoE) layer.", [("MoE", "Mixture-of-Experts")]),
    ("Results improve (see Table 2), e.g. on images (ImageNet).", []),
    ("Our method (ours) wins (2024); see (a) and (b).", []),
])
def test_definitions_are_schwartz_hearst_pairs(text, expected):
    assert definitions(text) == expected


def test_long_forms_normalise_case_plural_hyphen_and_space():
    keys = {long_form_key(x) for x in ["Self-Supervised Learning", "self supervised learning",
                                       "self-supervised learnings", "Self–supervised  learning"]}
    assert len(keys) == 1
    assert long_form_key("semi-supervised learning") not in keys


def test_variants_merge_and_distinct_meanings_stay_apart():
    table = AcronymTable.build({
        1: [("VLM", "vision-language models")], 2: [("VLM", "Visual Language Model")],
        3: [("VLM", "video-language models")], 4: [("VLMs", "Video Language Models")],
        7: [("CL", "contrastive learning")], 8: [("CL", "contrastive learning")],
        9: [("CL", "curriculum learning")],  # once among 23 definitions: maybe an accident, not a meaning
        **{pk: [("CL", "continual learning")] for pk in range(10, 30)},
        30: [("SSL", "self-supervised learning")], 31: [("SSL", "self-supervised learning")],
        32: [("SSL", "semi-supervised learning")],  # once among 3: on a small hub it is a meaning
    })
    assert {(m.key, m.count) for m in table.meanings("VLM")} == {(long_form_key("vision-language models"), 2),
                                                                (long_form_key("video-language models"), 2)}
    assert sorted(m.label for m in table.meanings("cl")) == ["continual learning", "contrastive learning"]
    assert [(m.label, m.count) for m in table.meanings("SSL")] == [("self-supervised learning", 2),
                                                                  ("semi-supervised learning", 1)]


@pytest.mark.parametrize(("words", "typed"), [
    (["SSL"], "SSL"), (["LoRA", "tuning"], "LoRA"), (["LLMs", "agents"], "LLMs"),
    (["Aid", "after", "floods"], None), (["Edit", "distance"], None), (["ssl"], None),
])
def test_a_word_is_an_acronym_only_when_written_as_one(words, typed):
    """The miner's rule (two capitals, or a capital and a digit): a capitalised first word is a word."""
    pairs = {1: [("SSL", "self-supervised learning")], 2: [("SSL", "self-supervised learning")],
             3: [("LoRA", "low-rank adaptation")], 4: [("LoRA", "low-rank adaptation")],
             5: [("LLM", "large language models")], 6: [("LLMs", "large language models")],
             7: [("AID", "aerial image dataset")], 8: [("AID", "aerial image dataset")],
             9: [("EDIT", "encoder-decoder image transformer")], 10: [("EDIT", "encoder-decoder image transformer")]}
    found = acronyms.expansion(AcronymTable.build(pairs), words)
    assert (found.typed if found else None) == typed


def test_two_names_of_one_thing_make_one_group(papers, embedder):
    """Centroids of two names of one thing are as close as synonyms get; distinct meanings are not."""
    import numpy as np

    from paperfeed.search.embedder import paper_text

    pairs = acronyms.mine((i, p["title"], p["abstract"]) for i, p in enumerate(papers))
    table = AcronymTable.build(pairs)
    vectors = embedder.encode([paper_text(p["title"], p["abstract"]) for p in papers], batch_size=32)

    class Rows:
        def vectors_for(self, pks):
            return {pk: np.asarray(vectors[pk], dtype=np.float32) for pk in pks}

    ssl = {i: m.centroid(Rows()) for i, m in enumerate(table.meanings("SSL"))}
    assert set(acronyms.without_synonyms(ssl)) == set(ssl)  # self-, semi-supervised, sound source: distinct
    twin = {0: ssl[0], 1: ssl[1], 2: ssl[0] * 0.99 + ssl[1] * 0.01}
    twin[2] = twin[2] / np.linalg.norm(twin[2])
    assert set(acronyms.without_synonyms(twin)) == {0, 1}


def test_table_counts_the_papers_of_the_real_slice(papers):
    pairs = acronyms.mine((i, p["title"], p["abstract"]) for i, p in enumerate(papers))
    table = AcronymTable.build(pairs)
    ssl = {m.label: set(m.pks) for m in table.meanings("SSL")}
    assert {"self-supervised learning", "semi-supervised learning"} <= set(ssl)
    for label, pattern in (("self-supervised learning", r"self[- ]supervised learning"),
                           ("semi-supervised learning", r"semi[- ]supervised learning")):
        literal = {i for i, p in enumerate(papers) if _defines(p, "SSL", pattern)}
        assert literal and literal <= ssl[label], label
    asr = [m.label for m in table.meanings("ASR")]
    assert "automatic speech recognition" in asr and "attack success rate" in asr


# --------------------------------------------------------------------------- with an index

pytestmark_db = pytest.mark.django_db(transaction=True)


@pytestmark_db
def test_the_table_is_published_with_the_generation(indexed):
    from paperfeed.search.reader import current

    snapshot = current()
    assert (snapshot.path / acronyms.TABLE_FILE).is_file() and (snapshot.path / acronyms.PAIRS_FILE).is_file()
    assert acronyms.TABLE_FILE in {Path(rel).name for rel in snapshot.manifest.files}
    labels = [m.label for m in snapshot.acronyms.meanings("SSL")]
    assert labels[:2] == ["self-supervised learning", "semi-supervised learning"]


@pytestmark_db
def test_incremental_sync_keeps_the_table_right(indexed):
    from paperfeed.papers.models import Paper
    from paperfeed.search.reader import current
    from paperfeed.search.sync import sync_indexes

    a = make_paper(title="Auditing SSL (Secure Sockets Layer) deployments",
                   abstract="We scan servers for weak SSL (Secure Sockets Layer) certificate chains.")
    b = make_paper(title="Certificate pinning in mobile apps",
                   abstract="Apps misuse Secure Sockets Layer (SSL) certificate validation in practice.")
    report = sync_indexes(progress=False)
    assert report.added_or_changed == 2
    meanings = {m.label.lower(): set(m.pks) for m in current().acronyms.meanings("SSL")}
    assert meanings["secure sockets layer"] == {a.pk, b.pk}
    assert "self-supervised learning" in meanings  # the rest was carried over, not lost

    Paper.objects.filter(pk=b.pk).update(hidden=True)
    sync_indexes(progress=False)
    assert "secure sockets layer" not in {m.label.lower() for m in current().acronyms.meanings("SSL")}


@pytestmark_db
def test_ssl_is_grouped_by_meaning_with_labels_and_counts(indexed, papers):
    from paperfeed.search import service

    results = service.search("SSL", limit=100)
    labels = [g.label for g in results.groups]
    assert "self-supervised learning" in labels and "semi-supervised learning" in labels, labels
    assert sum(g.size for g in results.groups) == results.total
    by_label = {g.label: g for g in results.groups}
    for label, pattern in (("self-supervised learning", r"self[- ]supervised learning"),
                           ("semi-supervised learning", r"semi[- ]supervised learning")):
        definers = {indexed[p["id"]].pk for p in papers if _defines(p, "SSL", pattern)}
        group = service.search("SSL", group=by_label[label].key, limit=100)
        assert group.group == by_label[label].key and group.total == by_label[label].size
        shown = definers & {h.paper.pk for h in results.hits}
        assert len(shown) >= len(definers) // 2  # the rest fell below the tail cut, not into another group
        assert shown <= {h.paper.pk for h in group.hits}, label


@pytestmark_db
def test_a_paper_that_never_writes_the_acronym_lands_in_its_meaning(indexed, papers):
    from paperfeed.search import service

    never = [p for p in papers if "semi-supervised" in p["title"].lower()
             and "SSL" not in p["title"] + p["abstract"]]
    assert never
    results = service.search("SSL", limit=100)
    semi = next(g for g in results.groups if g.label == "semi-supervised learning")
    in_group = {h.paper.pk for h in service.search("SSL", group=semi.key, limit=100).hits}
    retrieved = [p for p in never if indexed[p["id"]].pk in {h.paper.pk for h in results.hits}]
    # Retrieved through the long form (the text has no "SSL"), grouped by its vector.
    assert len(retrieved) >= len(never) // 2, [p["title"] for p in never]
    assert all(indexed[p["id"]].pk in in_group for p in retrieved), [p["title"] for p in retrieved]


@pytestmark_db
def test_naming_finds_the_long_forms_each_paper_writes(indexed, papers):
    """One search marks, for every paper asked about, the meanings it writes out and the other words."""
    from paperfeed.search.reader import current

    snapshot = current()
    meanings = snapshot.acronyms.meanings("SSL")
    index = {m.label: i for i, m in enumerate(meanings)}
    pks = [indexed[p["id"]].pk for p in papers]
    speech = acronyms.rest_query(snapshot.lexical, snapshot.acronyms, ["speech"])
    named, matching = acronyms.naming(snapshot.lexical, meanings, list(range(len(meanings))), pks, speech)
    text = {indexed[p["id"]].pk: re.sub(r"\s+", " ", f"{p['title']}. {p['abstract']}") for p in papers}
    for label, literal, loose in (("self-supervised learning", r"self[- ]supervised learning", r"self\W*supervis"),
                                  ("semi-supervised learning", r"semi[- ]supervised learning", r"semi\W*supervis")):
        writes = {pk for pk, t in text.items() if re.search(literal, t, re.I)}
        marked = {pk for pk, found in named.items() if index[label] in found}
        assert writes and writes <= marked, label
        assert all(re.search(loose, text[pk], re.I) for pk in marked), label  # "self-supervised" alone counts
    both = {pk for pk, found in named.items() if {index["self-supervised learning"],
                                                  index["semi-supervised learning"]} <= found}
    assert both == {pk for pk, t in text.items() if re.search(r"self\W*supervis", t, re.I)
                    and re.search(r"semi\W*supervis", t, re.I)}
    assert matching == {pk for pk, t in text.items() if re.search(r"\bspeech", t, re.I)}
    assert acronyms.naming(snapshot.lexical, meanings, [0], pks[:3])[0].keys() <= set(pks[:3])  # only those asked


@pytestmark_db
def test_long_form_writers_are_searched_once_per_generation(indexed, papers):
    """Which papers write a long form is one phrase search per generation, then a lookup per query."""
    from paperfeed.search.reader import current

    snapshot = current()
    meaning = next(m for m in snapshot.acronyms.meanings("SSL") if m.label == "self-supervised learning")
    writers = meaning.writers(snapshot.lexical)
    assert writers is meaning.writers(snapshot.lexical)  # kept, not searched again
    assert writers.tolist() == sorted(writers.tolist())  # sorted: naming looks pks up by bisection
    text = {indexed[p["id"]].pk: re.sub(r"\s+", " ", f"{p['title']}. {p['abstract']}") for p in papers}
    assert {pk for pk, t in text.items() if re.search(r"self[- ]supervised learning", t, re.I)} <= set(writers.tolist())
    assert all(re.search(r"self\W*supervis", text[pk], re.I) for pk in writers.tolist())


def _filters(lexical, papers: list) -> list:
    """No filter, a category, a date range and both, drawn from these papers (each allows some of them)."""
    from paperfeed.search.lexical import Filters

    days = sorted(p.announced or p.published.date() for p in papers)  # the index's listing day
    category = Counter(c for p in papers for c in p.categories.split()).most_common(1)[0][0]
    middle = days[len(days) // 2]
    return [None, *(lexical.filter_query(f) for f in (Filters(categories=(category,)), Filters(after=middle),
                                                        Filters(categories=(category,), before=middle)))]


@pytestmark_db
@pytest.mark.parametrize("query", ["SSL", "SSL speech", "SSL representation learning", "SSL for images"])
def test_kept_scores_give_the_whole_querys_scores_and_top_list(indexed, query):
    """An acronym query's lexical side from the kept scores of "acronym or long forms" is the whole query's,
    with or without a filter, and whether the other words are searched among a superset of its papers."""
    from paperfeed.search import kept_scores
    from paperfeed.search.lexical import LexicalIndex
    from paperfeed.search.reader import current

    snapshot = current()
    lexical, table = snapshot.lexical, snapshot.acronyms
    found = acronyms.expansion(table, query.split())
    either = acronyms._acronym_query(lexical, found.typed, found.meanings)
    superset = acronyms._acronym_superset(lexical, found.typed, found.meanings)
    rest = acronyms.rest_query(lexical, table, found.rest)
    whole = acronyms._joined(either, rest)
    kept = table.kept_scores(lexical, either)
    assert kept is table.kept_scores(lexical, either)  # kept for the generation
    pks = lexical.all_pks()
    assert set(kept.pks.tolist()) < set(lexical.matching_pks(superset))  # a superset, and a strict one here
    assert kept_scores.scores_for(lexical, kept, rest, pks) == dict(lexical.search_among(whole, pks))
    matching = set(kept.pks.tolist())
    for filt in _filters(lexical, [p for p in indexed.values() if p.pk in matching]):
        for depth in (5, 20, len(pks)):  # the same list, ties in the index's own order
            expected = lexical.search(LexicalIndex.combine(whole, filt), depth, count=False)[0]
            assert expected, (query, depth)
            assert kept_scores.top_within(lexical, kept, superset, rest, filt, depth) == expected, (depth, filt)
            if rest is None and filt is None:  # a bare acronym's list is the kept one's head
                assert kept_scores.top(kept, depth) == expected, depth


@pytestmark_db
def test_the_superset_reads_each_set_of_words_once(indexed):
    """A long form whose words hold a shorter one's adds nothing to the superset: its papers hold those words."""
    from paperfeed.search.reader import current

    lexical = current().lexical
    meanings = [acronyms.Meaning("a", "large language models", [1, 2]),
                acronyms.Meaning("b", "multi-large language model", [3, 4]),
                acronyms.Meaning("c", "language large models", [5, 6])]
    described = repr(acronyms._acronym_superset(lexical, "LLM", meanings))
    assert "multi" not in described and "phrase" not in described.lower()
    assert described.count("larg") == 2  # "large language" in the title and in the abstract, nothing else


@pytestmark_db
@pytest.mark.parametrize("query", ["SSL speech", "SSL representation learning cat:cs.CV", "SSL after:2020-01-01", "SSL"])
def test_an_acronym_query_answers_the_same_from_the_superset(indexed, monkeypatch, query):
    """The service's answer (every page, the groups, the notes) is the same whichever way widen makes its list."""
    from paperfeed.search import kept_scores, reader, service

    def answer(within_from: int) -> tuple:
        reader.forget()  # a new generation object: nothing kept from the other way
        monkeypatch.setattr(kept_scores, "WITHIN_MIN_KEPT", within_from)
        results = service.search(query, limit=100)
        return _answer(results), results.message

    whole, within = answer(10**9), answer(0)
    assert whole[0][1] > 0, query
    assert within == whole


@pytestmark_db
@pytest.mark.parametrize("query", ["SSL", "SSL speech", "SSL representation learning cat:cs.CV", "MAE images"])
def test_widen_takes_the_two_lists_unscored_and_answers_as_from_the_fused_ones(indexed, query):
    """widen scores every candidate of its pool itself, so the service hands it the two top lists as they
    come: the same candidates, order and scores as from the fused retrieval it was once given (scored twice)."""
    from paperfeed.search import service
    from paperfeed.search.embedder import Embedder
    from paperfeed.search.hybrid import TopLists, retrieve, top_lists
    from paperfeed.search.lexical import Filters
    from paperfeed.search.query import parse_query
    from paperfeed.search.reader import current

    snapshot, parsed = current(), parse_query(query)
    found = acronyms.expansion(snapshot.acronyms, parsed.words)
    vector = Embedder.default().encode_query(parsed.text)
    filters = Filters(tuple(parsed.categories))
    args = (snapshot.lexical, snapshot.vectors, parsed.words, parsed.phrases, vector, filters)
    lists = top_lists(*args, depth=service.MAX_RESULTS, dense_depth=service.DENSE_DEPTH)
    fused = retrieve(*args, depth=service.MAX_RESULTS, dense_depth=service.DENSE_DEPTH)
    assert lists.pks and sorted(lists.pks) == sorted(c.pk for c in fused.candidates)
    as_fused = TopLists([(c.pk, c.bm25) for c in fused.candidates], [], fused.lexical_total, fused.filtered_empty,
                        lists.text_query, vector)  # the fused order, every candidate once
    wide = acronyms.long_form_hits(snapshot, found, filters, service.MAX_RESULTS)
    unscored, scored = acronyms.widen(snapshot, found, wide, lists), acronyms.widen(snapshot, found, wide, as_fused)
    assert [c.pk for c in unscored.candidates] == [c.pk for c in scored.candidates]
    assert [c.score for c in unscored.candidates] == pytest.approx([c.score for c in scored.candidates], abs=1e-9)
    assert (unscored.lexical_total, unscored.filtered_empty) == (scored.lexical_total, scored.filtered_empty)


@pytestmark_db
def test_a_paper_writing_a_long_form_joins_that_meaning_over_a_nearer_centroid(indexed):
    """A jailbreak paper whose speech front end is "automatic speech recognition": its vector sits
    nearer the attack-success-rate papers, but "ASR" there can only mean speech recognition."""
    from paperfeed.search import service
    from paperfeed.search.reader import current
    from paperfeed.search.sync import sync_indexes

    paper = make_paper(title="Jailbreaking large audio-language models with adversarial speech",
                       abstract="We craft adversarial audio prompts that jailbreak audio-language models into harmful "
                                "answers, bypassing safety alignment; the spoken attack first passes an automatic "
                                "speech recognition front end.")
    sync_indexes(progress=False)
    snapshot = current()
    meanings = snapshot.acronyms.meanings("ASR")
    labels = [m.label for m in meanings]
    centroids = acronyms.without_synonyms(acronyms._centroids(meanings, snapshot.vectors))
    vector = snapshot.vectors.vectors_for([paper.pk])[paper.pk]
    nearest = max(centroids, key=lambda i: float(centroids[i] @ vector))
    assert labels[nearest] == "attack success rate"  # what the centroid alone would say

    results = service.search("ASR", limit=100)
    speech = next(g for g in results.groups if g.label == "automatic speech recognition")
    assert paper.pk in {h.paper.pk for h in service.search("ASR", group=speech.key, limit=100).hits}


@pytestmark_db
def test_extra_words_narrow_the_meanings_or_say_why_not(indexed):
    from paperfeed.search import service

    narrowed = service.search("SSL speech", limit=100)
    assert [g.label for g in narrowed.groups] != [g.label for g in service.search("SSL", limit=100).groups]
    assert "narrows SSL" in narrowed.message and "“speech”" in narrowed.message

    certificate = service.search("SSL certificate", limit=100)
    assert "“certificate”" in certificate.message  # matched nothing: said, never dropped silently
    assert len(certificate.groups) >= 2


@pytestmark_db
def test_a_second_acronym_among_the_other_words_brings_its_long_forms(indexed, papers):
    from paperfeed.search.reader import current

    snapshot = current()
    found = acronyms.expansion(snapshot.acronyms, ["SSL", "for", "ASR"])
    assert {found.typed, *found.rest} == {"SSL", "ASR"}  # one is expanded, the other is among the rest
    query = acronyms.rest_query(snapshot.lexical, snapshot.acronyms, ["ASR"])
    matching = set(snapshot.lexical.matching_pks(query))
    spelled = {indexed[p["id"]].pk for p in papers if re.search(r"attack success rates?|automatic speech recogn",
                                                                   p["title"] + " " + p["abstract"], re.I)}
    never_asr = {indexed[p["id"]].pk for p in papers if not re.search(r"\bASRs?\b", p["title"] + p["abstract"])}
    assert spelled & never_asr  # the slice has a paper naming a meaning of ASR without writing "ASR"
    assert spelled <= matching


@pytestmark_db
def test_lower_case_words_are_not_taken_for_acronyms(indexed):
    from paperfeed.search import service

    meanings = {long_form_key("mean absolute error"), long_form_key("masked autoencoder")}
    assert not meanings & {long_form_key(g.label) for g in service.search("mae", limit=50).groups}
    labels = {long_form_key(g.label) for g in service.search("MAE", limit=100).groups}
    assert {long_form_key("mean absolute error"), long_form_key("masked autoencoder")} <= labels, labels


def _answer(results) -> tuple:
    return ([h.paper.pk for h in results.hits], results.total, [(g.label, g.size) for g in results.groups])


@pytestmark_db
def test_a_warmed_generation_answers_acronyms_without_building_their_scores(indexed, monkeypatch):
    """A web worker's warm-up builds its generation's common acronyms' kept scores (reader.Snapshot.warm):
    the first query of each spelling then builds none, and answers as a cold generation does."""
    from paperfeed.search import reader, service
    from paperfeed.server import _warm_search_index

    queries = ["SSL", "ASR", "MAE", "SSLs", "MAEs", "SSL speech"]
    with monkeypatch.context() as cold_process:
        cold_process.setattr(acronyms, "WARM_ACRONYMS", 0)
        reader.forget()
        cold = reader.current()
        assert cold.warm() == 0 and cold.acronyms.built == 0
        expected = {q: _answer(service.search(q, limit=100)) for q in queries}
        assert cold.acronyms.built >= 3  # each acronym paid its list on its first query
    reader.forget()
    warm = reader.current()
    assert warm is not cold
    _warm_search_index()  # what a web worker's warm-up does
    assert warm.warmed and warm.warm() == 0  # once per generation
    built = warm.acronyms.built
    assert built >= 6  # SSL, ASR, MAE, each as written and plural
    for short in ("SSL", "ASR", "MAE"):  # and the writers and centroids their groups read
        for meaning in warm.acronyms.meanings(short):
            assert meaning._writers[id(warm.lexical)][0] is warm.lexical, meaning
            assert meaning._centroids[id(warm.vectors)][0] is warm.vectors, meaning
    for q in queries:
        assert _answer(service.search(q, limit=100)) == expected[q], q
    assert warm.acronyms.built == built
    assert warm.acronyms.warm(warm.lexical, seconds=0) == 0  # the time bound: nothing starts past it


@pytestmark_db
def test_a_spelling_of_several_words_counts_as_a_phrase(indexed, papers):
    """ "SSL-based" is the acronym followed by "based", not "SSL" or "based" anywhere."""
    from paperfeed.search.reader import current

    snapshot = current()
    query = acronyms._acronym_query(snapshot.lexical, "SSL-based", snapshot.acronyms.meanings("ssl"))
    matching = set(snapshot.lexical.matching_pks(query))
    long_forms = r"\bSSL|self-?supervised|semi-?supervised|sound source locali[sz]ation"
    based_only = {indexed[p["id"]].pk for p in papers if re.search(r"\bbased\b", text := p["title"] + " " + p["abstract"])
                  and not re.search(long_forms, text, re.I)}
    writes = {indexed[p["id"]].pk for p in papers if re.search(r"\bSSL[- ]based\b", p["title"] + " " + p["abstract"])}
    assert based_only, "the slice has papers saying 'based' with no meaning of SSL"
    assert not based_only & matching
    assert writes <= matching
