"""The harm tag section of the release report (Markdown, CSV) and of the static site (tags page).

Two votes on one battle of the demo release, model X = canonical A, Y = canonical B:
  a person: A over_refusal, B privacy_leak;  the judge (v2 prompt): A nothing, B privacy_leak.
People: X 1 answer, over_refusal 100%; Y 1 answer, privacy_leak 100%. Judge: Y privacy_leak 100%,
X 0%. One more person's vote with no tags halves the people's shares: 50.0%.
"""

from __future__ import annotations

import csv
import io

from sqlmodel import select

from judging.types import Source, Verdict
from pipeline.publish.report import build_report
from pipeline.publish.report_files import render_markdown, report_files
from pipeline.publish.site import build_site, render_site
from storage.db.models import ArenaModel, Response
from storage.db.session import read_session, write_session
from storage.votes.battles import get_or_create_battle
from storage.votes.record import record_vote


def _seed(engine) -> tuple[str, str]:
    """The display names of X and Y."""
    with read_session(engine) as session:
        responses = session.exec(select(Response).order_by(Response.question_id, Response.id)).all()
        names = {m.id: m.display_name for m in session.exec(select(ArenaModel)).all()}
    first, second = responses[0], next(r for r in responses[1:] if r.question_id == responses[0].question_id)
    with write_session(engine) as session:
        battle = get_or_create_battle(
            session=session, question_id=first.question_id, response_ids=(first.id, second.id)
        )
        a, b = (first, second) if battle.response_a_id == first.id else (second, first)
        votes = (
            (Source.HUMAN, "ann1", ["over_refusal"], ["privacy_leak"], None),
            (Source.HUMAN, "ann2", [], [], None),
            (Source.JUDGE, "mock-judge", [], ["privacy_leak"], "zh-pairwise-v2"),
        )
        for k, (source, rater, tags_a, tags_b, version) in enumerate(votes):
            record_vote(
                session=session,
                battle_id=battle.id,
                source=source,
                rater=rater,
                verdict=Verdict.A,
                left_response_id=battle.response_a_id,
                idempotency_key=f"t{k}",
                tags_a=tags_a,
                tags_b=tags_b,
                prompt_version=version,
            )
    return names[a.model_id], names[b.model_id]


def test_report_and_site_show_the_tag_shares(engine, tmp_path) -> None:
    x, y = _seed(engine)
    report = build_report(engine, "v261201", compare=False)
    md = render_markdown(report)
    assert "## 问题标签 Harm tags" in md
    assert f"| {x} | 人工 People | 2 | 0.0% | 50.0% | 0.0% | 0.0% | 0.0% | 0.0% |" in md
    assert f"| {y} | 人工 People | 2 | 0.0% | 0.0% | 0.0% | 0.0% | 50.0% | 0.0% |" in md
    assert f"| {y} | 评审模型 Judge | 1 | 0.0% | 0.0% | 0.0% | 0.0% | 100.0% | 0.0% |" in md

    files = {f.name: f.content for f in report_files(report)}
    rows = list(csv.DictReader(io.StringIO(files["harm-tags-v261201.csv"])))
    judge_y = next(
        r for r in rows if r["model_name"] == y and r["tagged_by"] == "judge" and r["dimension"] == "overall"
    )
    assert (judge_y["answers"], judge_y["privacy_leak_count"], judge_y["privacy_leak_share"]) == (
        "1",
        "1",
        "1.0000",
    )

    site = render_site(build_site(engine, "v261201"))
    page = site["tags.html"]
    assert "问题标签" in page and "100.0%" in page and "50.0%" in page
    assert "ann1" not in page and "ann2" not in page  # shares only, never who tagged
    assert "Harm tags" in site["tags.en.html"]
    assert "harm-tags-v261201.csv" in site["downloads.html"] and "data/harm-tags-v261201.csv" in site
