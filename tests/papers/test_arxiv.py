import pytest

from paperfeed.papers.arxiv import (
    CONTROL_OR_LINE_BREAK_RE,
    CONTROL_RE,
    ArxivId,
    CategoryError,
    canonical_category,
    clean_category,
    is_category,
    parse_arxiv_id,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2503.11731", ArxivId("2503.11731")),
        ("arXiv:2503.11731v2", ArxivId("2503.11731", 2)),
        ("ARXIV: 2503.11731", ArxivId("2503.11731")),
        ("https://arxiv.org/abs/2503.11731", ArxivId("2503.11731")),
        ("https://arxiv.org/abs/2503.11731v3", ArxivId("2503.11731", 3)),
        ("http://arxiv.org/pdf/2503.11731v1.pdf", ArxivId("2503.11731", 1)),
        ("arxiv.org/pdf/2503.11731", ArxivId("2503.11731")),
        ("https://export.arxiv.org/abs/1401.2122", ArxivId("1401.2122")),
        ("https://arxiv.org/html/2503.11731v2", ArxivId("2503.11731", 2)),
        ("hep-th/9901001", ArxivId("hep-th/9901001")),
        ("hep-th/9901001v2", ArxivId("hep-th/9901001", 2)),
        ("math.GT/0309136", ArxivId("math.GT/0309136")),
        ("https://arxiv.org/abs/astro-ph/0601001", ArxivId("astro-ph/0601001")),
        ("0704.0001", ArxivId("0704.0001")),
        ("  2503.11731  ", ArxivId("2503.11731")),
    ],
)
def test_parses_every_common_form(text, expected):
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "abc", "2513.11731", "1503.1173", "0704.00001", "2503.11731 diffusion", "https://example.com/abs/2503.11731",
     "x" * 1000, "hep-th/990100", "SELECT * FROM papers", "<script>2503.11731</script>"],
)
def test_rejects_non_ids(text):
    assert parse_arxiv_id(text) is None


# Every category in arxiv_daily.jsonl.gz's lists (142 of them), plus legacy and bare archives.
_REAL = (
    "astro-ph.CO astro-ph.EP astro-ph.GA astro-ph.HE astro-ph.IM astro-ph.SR cond-mat.dis-nn cond-mat.mes-hall "
    "cond-mat.mtrl-sci cond-mat.other cond-mat.soft cond-mat.stat-mech cond-mat.str-el cs.AI cs.AR cs.CC cs.CE "
    "cs.CG cs.CL cs.CR cs.CV cs.CY cs.DB cs.DC cs.DL cs.DM cs.DS cs.ET cs.FL cs.GL cs.GR cs.GT cs.HC cs.IR cs.IT "
    "cs.LG cs.LO cs.MA cs.MM cs.MS cs.NA cs.NE cs.NI cs.OH cs.OS cs.PF cs.PL cs.RO cs.SC cs.SD cs.SE cs.SI cs.SY "
    "econ.EM econ.GN econ.TH eess.AS eess.IV eess.SP eess.SY gr-qc hep-ex hep-lat hep-ph hep-th math-ph math.AC "
    "math.AG math.AP math.AT math.CA math.CO math.CT math.CV math.DG math.DS math.FA math.GN math.GR math.GT "
    "math.HO math.IT math.LO math.MG math.MP math.NA math.NT math.OC math.PR math.QA math.RA math.RT math.SP "
    "math.ST nlin.AO nlin.CD nlin.CG nlin.PS physics.ao-ph physics.app-ph physics.atm-clus physics.bio-ph "
    "physics.chem-ph physics.comp-ph physics.data-an physics.ed-ph physics.flu-dyn physics.geo-ph physics.hist-ph "
    "physics.ins-det physics.med-ph physics.optics physics.plasm-ph physics.pop-ph physics.soc-ph physics.space-ph "
    "q-bio.BM q-bio.CB q-bio.GN q-bio.MN q-bio.NC q-bio.OT q-bio.PE q-bio.QM q-bio.SC q-bio.TO q-fin.CP q-fin.EC "
    "q-fin.GN q-fin.MF q-fin.PM q-fin.PR q-fin.RM q-fin.ST q-fin.TR quant-ph stat.AP stat.CO stat.ME stat.ML "
    "stat.OT stat.TH nucl-th nucl-ex cond-mat.quant-gas physics.gen-ph nlin.SI astro-ph cond-mat alg-geom solv-int"
)
REAL_CATEGORIES = _REAL.split()


@pytest.mark.parametrize("category", REAL_CATEGORIES)
def test_every_real_category_is_one(category):
    assert is_category(category)
    assert canonical_category(category) == category
    assert clean_category(f" {category} ") == category


# ACM and MSC classes as feeds carry them among the categories, stray words, near misses.
@pytest.mark.parametrize("token", [
    "I.4", "I.2.10;", "H.3.3", "68T45,", "68T45", "68Txx", "(Primary)", "ARTIFICIAL", "na", "of", "CS", "cs.",
    "cs.CVPR", "cs.cv", "physics.Optics", "foo.BAR", "hep-th.XX", "cs.C", "math.ag", "", "cs.LG cs.AI",
    "physics." + "a" * 40,
])
def test_other_tokens_are_not_categories(token):
    assert not is_category(token)


@pytest.mark.parametrize(("typed", "canonical"), [
    ("cs.cv", "cs.CV"), ("CS.CV", "cs.CV"), ("Q-Bio.nc", "q-bio.NC"), ("HEP-TH", "hep-th"),
    ("physics.OPTICS", "physics.optics"), ("Cond-Mat.Stat-Mech", "cond-mat.stat-mech"), ("ASTRO-PH", "astro-ph"),
])
def test_user_input_in_any_case_becomes_arxivs_spelling(typed, canonical):
    assert canonical_category(typed) == canonical
    assert clean_category(typed) == canonical


@pytest.mark.parametrize("typed", ["I.4", "foo", "cs.CVPR", "cs.LG; DROP TABLE", "x" * 100, "68T45"])
def test_clean_category_names_what_is_wrong(typed):
    assert canonical_category(typed) is None
    with pytest.raises(CategoryError, match=r"is not an arXiv category \(e.g. cs.CV, math.AG, hep-th\)"):
        clean_category(typed)


def test_empty_category_input_means_no_filter():
    assert clean_category(None) is None and clean_category("  ") is None


def test_control_characters():
    # Multi-line text keeps tab and line breaks; NUL, ESC, DEL and friends never pass.
    for ch in "\x00\x07\x0b\x0c\x1b\x1f\x7f":
        assert CONTROL_RE.search(f"a{ch}b") and CONTROL_OR_LINE_BREAK_RE.search(f"a{ch}b")
    for ch in "\t\n\r":
        assert not CONTROL_RE.search(f"a{ch}b") and CONTROL_OR_LINE_BREAK_RE.search(f"a{ch}b")
    # One-line input (an email address headed for an SMTP header) refuses Unicode line breaks too.
    for ch in "\u0085\u2028\u2029":
        assert not CONTROL_RE.search(f"a{ch}b") and CONTROL_OR_LINE_BREAK_RE.search(f"a{ch}b")
    assert not CONTROL_OR_LINE_BREAK_RE.search("Ünïcode — fine, even émoji 🎉")
