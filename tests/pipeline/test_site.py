"""The static site of a release: content, numbers, escaping, accessibility, refusals, writing.

The database is the report tests' two releases (tests/pipeline/test_report.py), with an LLM judge
on both, one model renamed to hostile markup, an open draft and a published release without votes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import html5lib
import pytest
from openpyxl import load_workbook
from sqlmodel import select
from typer.testing import CliRunner

from commands.ratings import rate_votes, rated_votes
from pipeline.bank.releases import create_release, publish_release
from pipeline.interchange.pseudonyms import pseudonym, pseudonym_secret
from pipeline.interchange.vote_export import VotesExportFormat, write_votes_export
from pipeline.publish.report_types import OVERALL
from pipeline.publish.site import (
    PAGES,
    PALETTE,
    SiteError,
    build_site,
    contrast_ratio,
    esc,
    heat_colour,
    nice_ticks,
    read_model_metadata,
    render_site,
    tag,
    write_site,
)
from pipeline.startup.bootstrap import init_database
from pipeline.startup.settings import PROJECT_ROOT, Settings
from storage.bank.releases import ReleaseNotFoundError
from storage.db.models import ArenaModel
from storage.db.session import write_session
from tests.pipeline.test_report import MODELS, _answer, _vote_release

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'
HOSTILE_MODEL = MODELS[4]
NOW = datetime(2026, 12, 16, 9, 30, 5, tzinfo=UTC)  # dates the LiveSecBench files
LSB = "data/livesecbench/2026_12_16"


def build_voted_database(data_dir: Path) -> tuple[Settings, object]:
    """v261201 and v261215 voted by humans and a judge, a draft ``d3``, and v261220 without votes."""
    settings = Settings(
        database_url=f"sqlite:///{data_dir / 'arena.db'}",
        data_dir=data_dir,
        demo_dir=PROJECT_ROOT / "demo",
        login_sleep_time=0.0,
    )
    engine = init_database(settings, announce=lambda _m: None)
    with write_session(engine) as session:
        model = session.exec(select(ArenaModel).where(ArenaModel.key == HOSTILE_MODEL)).one()
        model.display_name = "暖心 " + HOSTILE
        model.organisation = HOSTILE
        session.add(model)
    _vote_release(engine, "v261201", MODELS, judge=True)
    create_release(engine, "d2", parent="v261201")
    _answer(engine, "d2", MODELS)
    publish_release(engine, "d2", tag="v261215", now=datetime(2026, 12, 15, 8, tzinfo=UTC))
    _vote_release(engine, "v261215", (MODELS[1], MODELS[0], *MODELS[2:]), judge=True)
    create_release(engine, "empty", parent="v261215")
    publish_release(engine, "empty", tag="v261220", now=datetime(2026, 12, 20, 8, tzinfo=UTC))
    create_release(engine, "d3", parent="v261215")
    return settings, engine


@pytest.fixture(scope="module")
def voted(tmp_path_factory):
    settings, engine = build_voted_database(tmp_path_factory.mktemp("site"))
    yield settings, engine
    engine.dispose()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def site(voted):
    _settings, engine = voted
    content = build_site(engine, "v261215", now=NOW)
    return content, render_site(content)


class _Tree(HTMLParser):
    """Elements with their attributes and the text inside each, for checks on the markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[int] = []
        self.text: dict[int, str] = {}
        self.parents: dict[int, tuple[str, ...]] = {}

    def handle_starttag(self, name, attrs):
        index = len(self.elements)
        self.elements.append((name, dict(attrs)))
        self.parents[index] = tuple(self.elements[i][0] for i in self.stack)
        self.text[index] = ""
        if name not in ("meta", "link", "br", "hr", "img", "input"):
            self.stack.append(index)

    def handle_startendtag(self, name, attrs):
        index = len(self.elements)
        self.elements.append((name, dict(attrs)))
        self.parents[index] = tuple(self.elements[i][0] for i in self.stack)
        self.text[index] = ""

    def handle_endtag(self, name):
        while self.stack:
            top = self.stack.pop()
            if self.elements[top][0] == name:
                break

    def handle_data(self, data):
        for index in self.stack:
            self.text[index] += data

    def find(self, name):
        return [(k, attrs) for k, (n, attrs) in enumerate(self.elements) if n == name]


def _tree(text: str) -> _Tree:
    tree = _Tree()
    tree.feed(text)
    tree.close()
    return tree


def _pages(files):
    return {name: text for name, text in files.items() if name.endswith(".html")}


def _board_numbers(text: str) -> dict[str, tuple[str, str]]:
    """model key -> (rating, interval) as the first (overall) table of the page shows them."""
    table = text.split("<table", 3)[3]  # facts, sources, then the overall board
    table = table.split("</table>", 1)[0]
    rows = re.findall(
        r'<tr data-model="([^"]+)">.*?<span class="rating">([^<]+)</span>.*?<span class="interval">([^<]+)</span>',
        table,
    )
    return {model: (rating, interval) for model, rating, interval in rows}


# -- content and numbers ---------------------------------------------------------------------------


def test_every_page_in_both_languages(site):
    content, files = site
    pages = _pages(files)
    assert set(pages) == {f"{p.name}.html" for p in PAGES} | {f"{p.name}.en.html" for p in PAGES}
    for name, text in pages.items():
        lang = "en" if name.endswith(".en.html") else "zh-CN"
        assert text.startswith("<!doctype html>\n<html") and f'lang="{lang}"' in text.split(">", 2)[1]
        other = name.replace(".en.html", ".html") if lang == "en" else name.replace(".html", ".en.html")
        assert f'href="{other}"' in text  # the language switch leads to the same page
    zh, en = pages["index.html"], pages["index.en.html"]
    assert "总体排行榜" in zh and "Overall leaderboard" in en
    assert "胜率热图" in zh and 'id="chart-heatmap"' in zh and 'id="chart-overall"' in zh
    assert "评审模型校正（PPI）" in zh and content.corrected is not None
    assert {
        f"data/{n}" for n in ("report-v261215.md", "leaderboard-v261215.csv", "battles-v261215.json")
    } <= set(files)
    # the LiveSecBench result files, in the layout of `cli.py report --livesecbench`, listed with sizes
    stamp = "2026_12_16_09_30_05"
    assert {
        f"{LSB}/2026-12-models.csv",
        f"{LSB}/2026-12-stats.csv",
        f"{LSB}/summary_report.md",
    } <= set(files)
    workbooks = [n for n in files if re.fullmatch(rf"{LSB}/elo_results/(\w+)/\1_pk_details_{stamp}\.xlsx", n)]
    assert workbooks and all(isinstance(files[n], bytes) for n in workbooks)
    assert set(content.livesecbench) == {
        n.removeprefix("data/livesecbench/") for n in files if "livesecbench/" in n
    }
    downloads, downloads_en = pages["downloads.html"], pages["downloads.en.html"]
    assert "尚未提供" not in downloads and "Not yet available" not in downloads_en
    for name, data in content.livesecbench.items():
        link = f'href="data/livesecbench/{name}"'
        assert link in downloads and link in downloads_en
        assert f"{len(data) / 1024:.1f} KiB" in downloads
    assert "逐票明细" in downloads and "One row per vote" in downloads_en
    assert "每个模型的综合得分" in downloads and "overall and per-dimension scores" in downloads_en
    assert "annotator- 加 12 位十六进制" in downloads and "annotator- and 12 hex digits" in downloads_en
    assert "rater-" not in downloads + downloads_en
    # methodology carries the calibration figures: agreement and kappa of the judge
    judge = content.report.judges[0]
    assert f"{judge.cohen_kappa.value:.3f}" in pages["methodology.html"]
    assert f"{judge.agreement_with_ties.value:.3f}" in pages["methodology.en.html"]
    # the release page: question counts per dimension and the diff against v261201
    assert "v261215 对比 v261201" in pages["release.html"] and content.diff is not None
    # model cards
    assert pages["models.html"].count('class="card"') == 5


def test_numbers_equal_the_ratings_command(site, voted, tmp_path):
    """The overall board of the site is ``cli.py ratings`` on the release's exported votes."""
    _content, files = site
    _settings, engine = voted
    path = tmp_path / "votes.csv"
    write_votes_export(engine, path, format=VotesExportFormat.CSV, release="v261215")
    table, gold = rated_votes(path)
    board = rate_votes(path, table, "bt").board
    shown = _board_numbers(files["index.html"])
    assert gold == 0 and set(shown) == {row.model for row in board.rows}
    for row in board.rows:
        assert shown[row.model] == (f"{row.rating:.1f}", f"[{row.lower:.1f}, {row.upper:.1f}]")
    assert _board_numbers(files["index.en.html"]) == shown


def test_history_is_linked_and_published_only(site):
    content, files = site
    releases = [p.release for p in content.report.history]
    assert set(releases) == {"v261201", "v261215"}  # the draft d3 and the later v261220 are not in it
    current = {p.model: p.rating for p in content.report.history if p.release == "v261215"}
    assert current == {r.model: r.rating for r in content.report.board(OVERALL).rows}
    assert "v261201" in files["history.html"] and 'id="chart-history"' in files["history.html"]


# -- safety ----------------------------------------------------------------------------------------


def test_untrusted_names_are_inert(site):
    _content, files = site
    for name, text in _pages(files).items():
        tree = _tree(text)
        assert not tree.find("script"), name
        assert not tree.find("img"), name
        for element, attrs in tree.elements:
            assert not [a for a in attrs if a.startswith("on")], (name, element, attrs)
        assert "<script>" not in text
    index = files["index.html"]
    assert esc(HOSTILE) in index  # shown as text, escaped once
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in files["models.html"]  # the organisation too
    assert "&amp;lt;" not in index  # never escaped twice


def test_the_escaping_helper():
    assert esc('<a href="x">&') == "&lt;a href=&quot;x&quot;&gt;&amp;"
    assert esc(esc("<b>")) == "&lt;b&gt;"
    assert tag("p", "<i>", title='"x" onclick=y') == '<p title="&quot;x&quot; onclick=y">&lt;i&gt;</p>'
    assert tag("p", tag("b", "ok")) == "<p><b>ok</b></p>"


def test_no_request_can_leave_the_page(site):
    _content, files = site
    for name, text in _pages(files).items():
        tree = _tree(text)
        (csp,) = [a for _e, a in tree.find("meta") if a.get("http-equiv") == "Content-Security-Policy"]
        assert "default-src 'none'" in (csp["content"] or "")
        assert not tree.find("link") and not tree.find("iframe") and not tree.find("object")
        for _element, attrs in tree.elements:
            for attr in ("href", "src", "action", "xlink:href", "srcset"):
                value = attrs.get(attr)
                if value is None or (attr == "href" and value.startswith("#")):
                    continue
                assert "//" not in value and ":" not in value, (name, attr, value)
        assert "url(" not in text and "@import" not in text


def test_battles_are_anonymised_with_stable_pseudonyms(site, voted):
    content, files = site
    battles = json.loads(files["data/battles-v261215.json"])
    assert len(battles) == content.report.counts.votes
    raters = {b["judge"] for b in battles}
    humans = {f"ann{k}" for k in range(3)}
    assert not raters & humans
    secret = pseudonym_secret(voted[1])
    expected = {pseudonym(h, secret) for h in humans}
    assert raters == expected | {"mock-judge"}  # the LLM judge keeps its name
    assert all(re.fullmatch(r"annotator-[0-9a-f]{12}", r) for r in expected)
    assert {b["model_a"] for b in battles} | {b["model_b"] for b in battles} == set(MODELS)
    assert not any(h in files["data/battles-v261215.json"] for h in humans)
    again = build_site(voted[1], "v261215")
    assert again.battles_json == content.battles_json


def _pk_raters(data: bytes) -> set[str]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("rater")
    return {row[column] for row in rows[1:]}


def test_one_person_has_one_public_name_everywhere(voted, tmp_path, monkeypatch):
    """The same annotator under the same pseudonym in the site's battles, in ``export-votes`` (its
    default, pseudonymised) and in the LiveSecBench ``pk_details`` the site publishes."""
    from cli import app

    settings, engine = voted
    monkeypatch.setenv("ARENA_DATA_DIR", str(settings.data_dir))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("ARENA_ADMIN_PASSWORD", "pw-site-test")
    runner = CliRunner()
    out, votes = tmp_path / "site", tmp_path / "votes.csv"
    for args in (
        ["site", "--release", "v261215", str(out)],
        ["export-votes", str(votes), "--release", "v261215"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output

    battles = json.loads((out / "data" / "battles-v261215.json").read_text(encoding="utf-8"))
    site_names = {b["judge"] for b in battles} - {"mock-judge"}
    with votes.open(encoding="utf-8-sig", newline="") as fh:
        export_names = {r["rater"] for r in csv.DictReader(fh) if r["source"] != "judge"}
    workbooks = list((out / "data" / "livesecbench").glob("*/elo_results/*/*_pk_details_*.xlsx"))
    assert workbooks
    pk_names = set().union(*(_pk_raters(pk.read_bytes()) for pk in workbooks)) - {"mock-judge"}
    ann0 = pseudonym("ann0", pseudonym_secret(engine))
    assert ann0 in site_names and site_names == export_names == pk_names
    assert len(site_names) == 3 and not site_names & {f"ann{k}" for k in range(3)}


# -- accessibility and validity --------------------------------------------------------------------


def test_pages_parse_as_valid_html5(site):
    _content, files = site
    for name, text in _pages(files).items():
        parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
        parser.parse(text)  # raises on the first parse error
        assert not parser.errors, (name, parser.errors[:3])


def test_accessibility(site):
    _content, files = site
    for name, text in _pages(files).items():
        tree = _tree(text)
        (html_el,) = tree.find("html")
        assert html_el[1].get("lang") in ("zh-CN", "en"), name
        (title,) = [t for t in tree.find("title") if "head" in tree.parents[t[0]]]
        assert tree.text[title[0]].strip(), name
        ids = [a["id"] for _e, a in tree.elements if a.get("id")]
        assert len(ids) == len(set(ids)), (name, ids)
        assert tree.find("main") and tree.find("nav") and tree.find("h1")
        for index, _attrs in tree.find("table"):
            cells = [k for k, (n, _a) in enumerate(tree.elements) if n in ("th", "td") and k > index]
            assert any(n == "caption" for n, _a in tree.elements[index + 1 : index + 2]), (name, "caption")
            headers = [tree.elements[k] for k in cells if tree.elements[k][0] == "th"]
            assert headers and all(a.get("scope") in ("col", "row") for _n, a in headers), name
        for index, attrs in tree.find("svg"):
            assert attrs.get("role") == "img", name
            labelled = (attrs.get("aria-labelledby") or "").split()
            assert labelled and all(label in ids for label in labelled), (name, labelled)
            titles = [k for k, (n, _a) in enumerate(tree.elements) if n == "title" and k > index]
            assert titles and tree.text[titles[0]].strip()
        for index, attrs in tree.find("a"):
            assert tree.text[index].strip(), (name, attrs)


def test_contrast_of_the_palette_and_the_heatmap(site):
    # the WCAG formula against known answers: black on white 21:1, #767676 on white just 4.54:1
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#ffffff", "#767676") == contrast_ratio("#767676", "#ffffff")
    for role, (foreground, background) in PALETTE.items():
        assert contrast_ratio(foreground, background) >= 4.5, role
    # every heatmap cell's value is written in a colour readable on its fill
    _content, files = site
    svg = files["index.html"].split('id="chart-heatmap"', 1)[1].split("</svg>", 1)[0]
    pairs = re.findall(r'<rect [^>]*fill="(#[0-9a-f]{6})"[^>]*/><text [^>]*fill="(#[0-9a-f]{6})"', svg)
    assert len(pairs) == 25
    for fill, ink in pairs:
        assert contrast_ratio(ink, fill) >= 4.5, (fill, ink)
    assert heat_colour(0.5) == "#f7f7f7" and heat_colour(1.0) == "#2166ac" and heat_colour(0.0) == "#b2182b"


def test_nice_ticks():
    assert nice_ticks(793.0, 1207.0) == [700.0, 800.0, 900.0, 1000.0, 1100.0, 1200.0, 1300.0]
    assert nice_ticks(0.0, 1.0) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(1000.0, 1000.0)[0] <= 1000.0 <= nice_ticks(1000.0, 1000.0)[-1]


# -- bad input -------------------------------------------------------------------------------------


def test_unknown_and_draft_releases_are_refused(voted):
    _settings, engine = voted
    with pytest.raises(ReleaseNotFoundError, match="no release 'v999999'"):
        build_site(engine, "v999999")
    with pytest.raises(SiteError, match="'d3' is a draft; only published releases"):
        build_site(engine, "d3")


def test_a_release_without_votes_says_so(voted):
    _settings, engine = voted
    content = build_site(engine, "v261220", now=NOW)
    files = render_site(content)
    assert content.report.counts.votes == 0 and content.corrected is None
    assert (
        "本版本还没有投票。" in files["index.html"]
        and "No votes in this release yet." in files["index.en.html"]
    )
    assert "<svg" not in files["index.html"]
    assert json.loads(files["data/battles-v261220.json"]) == []
    # the LiveSecBench files are there, header-only, and the download page says so
    assert set(content.livesecbench) == {
        "2026_12_16/2026-12-models.csv",
        "2026_12_16/2026-12-stats.csv",
        "2026_12_16/summary_report.md",
    }
    models_csv = files[f"{LSB}/2026-12-models.csv"]
    assert isinstance(models_csv, bytes) and len(models_csv.decode("utf-8-sig").strip().splitlines()) == 1
    assert "No votes in this release yet" in files[f"{LSB}/summary_report.md"].decode()
    assert "本版本还没有投票：模型 CSV 只有表头" in files["downloads.html"]
    assert "the models CSV holds headers only" in files["downloads.en.html"]


def test_model_metadata_file(tmp_path, voted):
    good = tmp_path / "models.yaml"
    good.write_text(
        "models:\n"
        f"  {MODELS[0]}:\n"
        "    organisation: 青云实验室\n"
        "    open_weights: true\n"
        "    release_date: 2026-01-15\n"
        "    provider: 示例云\n"
        "    url: https://example.org/qingyun?a=1&b=2\n",
        encoding="utf-8",
    )
    metadata = read_model_metadata(good)
    content = build_site(voted[1], "v261215", metadata=metadata)
    card = next(c for c in content.cards if c.key == MODELS[0])
    assert (card.organisation, card.open_weights, str(card.release_date), card.provider) == (
        "青云实验室",
        True,
        "2026-01-15",
        "示例云",
    )
    models_page = render_site(content)["models.html"]
    assert 'href="https://example.org/qingyun?a=1&amp;b=2"' in models_page and "2026-01-15" in models_page

    cases = {
        "release_date: 2026-02-30": "models.qingyun-care.release_date: no such date",
        "release_date: 15/01/2026": "models.qingyun-care.release_date: must be a date YYYY-MM-DD",
        "url: javascript:alert(1)": "models.qingyun-care.url: must be an http:// or https:// URL",
        "url: https://exa mple.org": "models.qingyun-care.url: must not contain spaces",
        "open_weights: maybe": "models.qingyun-care.open_weights: must be true or false",
        "homepage: https://x.org": "unknown field(s) ['homepage']",
    }
    for line, message in cases.items():
        bad = tmp_path / "bad.yaml"
        bad.write_text(f"models:\n  {MODELS[0]}:\n    {line}\n", encoding="utf-8")
        with pytest.raises(SiteError, match=re.escape(message)):
            read_model_metadata(bad)
    wrong = tmp_path / "bad.txt"
    wrong.write_text("x", encoding="utf-8")
    with pytest.raises(SiteError, match="unknown file type"):
        read_model_metadata(wrong)


def test_write_is_all_or_nothing(tmp_path):
    out = tmp_path / "site"
    write_site({"index.html": "one", "data/a.csv": "a", "data/b.xlsx": b"PK\x03\x04\xff"}, out)
    assert (out / "index.html").read_text() == "one" and (
        out / "data" / "b.xlsx"
    ).read_bytes() == b"PK\x03\x04\xff"
    with pytest.raises(SiteError, match="exists and is not empty"):
        write_site({"index.html": "two"}, out)
    # a failure half-way leaves the old site as it was and no temporary directory behind
    with pytest.raises(SiteError, match="refusing the file name"):
        write_site({"index.html": "two", "../escape.html": "x"}, out, force=True)
    assert (out / "index.html").read_text() == "one" and not (tmp_path / "escape.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    write_site({"index.html": "two"}, out, force=True)
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    empty = tmp_path / "empty"
    empty.mkdir()
    write_site({"index.html": "x"}, empty)  # an empty directory is fine
    (tmp_path / "file").write_text("x")
    with pytest.raises(SiteError, match="not a directory"):
        write_site({"index.html": "x"}, tmp_path / "file", force=True)


def test_site_command(voted, tmp_path, monkeypatch):
    from cli import app

    settings, _engine = voted
    monkeypatch.setenv("ARENA_DATA_DIR", str(settings.data_dir))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("ARENA_ADMIN_PASSWORD", "pw-site-test")
    runner = CliRunner()

    out = tmp_path / "site"
    ok = runner.invoke(app, ["site", "--release", "v261215", str(out)])
    assert ok.exit_code == 0, ok.output
    assert (out / "index.html").exists() and (out / "data" / "leaderboard-v261215.csv").exists()
    rows = list(
        csv.DictReader(io.StringIO((out / "data" / "leaderboard-v261215.csv").read_text().lstrip("\ufeff")))
    )
    assert {r["dimension"] for r in rows} >= {"overall"}
    assert len(list((out / "data" / "livesecbench").glob("*/elo_results/*/*_pk_details_*.xlsx"))) >= 1
    before = (out / "index.html").stat().st_mtime_ns

    def refused(args, message):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and message in result.output, result.output

    refused(["site", "--release", "v261215", str(out)], "exists and is not empty (use --force")
    assert (out / "index.html").stat().st_mtime_ns == before
    refused(["site", "--release", "d3", str(tmp_path / "d")], "is a draft")
    refused(["site", "--release", "v999999", str(tmp_path / "u")], "no release 'v999999'")
    bad = tmp_path / "models.yaml"
    bad.write_text(f"models:\n  {MODELS[0]}:\n    release_date: 2026-13-01\n", encoding="utf-8")
    refused(["site", "--release", "v261215", "--models", str(bad), str(tmp_path / "m")], "release_date")
    assert not any((tmp_path / n).exists() for n in ("d", "u", "m"))

    empty = runner.invoke(app, ["site", "--release", "v261220", str(tmp_path / "e")])
    assert empty.exit_code == 0 and "has no votes yet" in empty.output
    forced = runner.invoke(app, ["site", "--release", "v261201", "--force", str(out)])
    assert forced.exit_code == 0, forced.output
    assert (out / "data" / "leaderboard-v261201.csv").exists()
    assert not (out / "data" / "leaderboard-v261215.csv").exists()


def test_public_surface():
    import pipeline.publish.site

    assert set(pipeline.publish.site.__all__) == {
        "PAGES",
        "PALETTE",
        "Html",
        "ModelCard",
        "ModelMetadata",
        "SiteContent",
        "SiteError",
        "build_site",
        "check_target",
        "contrast_ratio",
        "esc",
        "heat_colour",
        "model_cards",
        "nice_ticks",
        "read_model_metadata",
        "render_site",
        "tag",
        "write_site",
    }
    assert all(hasattr(pipeline.publish.site, name) for name in pipeline.publish.site.__all__)
