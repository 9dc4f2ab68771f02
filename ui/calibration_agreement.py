"""The calibration page's judge-vs-human agreement: the agreement table and chart, the confusion
heatmap, the battles behind a cell and the battle itself (shared by the database view and an
uploaded votes file)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st

from judging.calibration import Estimate, JudgeReport
from judging.dimensions import Dimension
from judging.types import Verdict
from pipeline.views.calibration import BattleRef, CalibrationView
from pipeline.views.calibration_drill import cell_battles
from pipeline.workflow.adjudication import votes_of
from pipeline.workflow.voting import masked_view
from ui.calibration_charts import CELL_SELECTION, confusion_chart, interval_chart
from ui.components import battle_panel
from ui.formatting import estimate_text
from ui.gold_mark import gold_action
from ui.i18n import current_lang, join_list, t
from ui.resources import get_engine

__all__ = ["agreement_section"]

Cell = tuple[Verdict, Verdict]  # (human verdict, judge verdict)


def _verdict(v: Verdict) -> str:
    return t(f"verdict.{v.value}")


def _dimension(code: str | None) -> str:
    if code is None:
        return "—"
    try:
        return Dimension(code).label(current_lang())
    except ValueError:
        return code  # shown in a data frame cell or a selectbox option: plain text


def _interval_rows(row: str, figures: Mapping[str, Estimate | None]) -> list[dict[str, object]]:
    """The rows of ``interval_chart`` for one row label: one per defined figure."""
    return [
        {
            "row": row,
            "series": name,
            "value": e.value,
            "lower": e.lower,
            "upper": e.upper,
            "label": estimate_text(e),
        }
        for name, e in figures.items()
        if e is not None
    ]


def _agreement_row(report: JudgeReport) -> dict[str, object]:
    a = report.agreement
    return {
        t("cal.judge"): report.judge,
        t("cal.n_votes"): a.n_votes,
        t("cal.n_battles"): a.n_battles,
        t("cal.with_ties"): estimate_text(a.agreement_with_ties),
        t("cal.without_ties"): estimate_text(a.agreement_without_ties),
        t("cal.n_without_ties"): a.n_votes_without_ties,
        t("cal.kappa"): estimate_text(a.cohen_kappa),
        t("cal.majority"): estimate_text(a.majority_agreement_with_ties),
        t("cal.majority_without_ties"): estimate_text(a.majority_agreement_without_ties),
        t("cal.n_majority"): a.n_majority_battles,
    }


def _agreement_chart_rows(report: JudgeReport) -> list[dict[str, object]]:
    a = report.agreement
    return _interval_rows(
        report.judge,
        {
            t("cal.with_ties"): a.agreement_with_ties,
            t("cal.without_ties"): a.agreement_without_ties,
            t("cal.kappa"): a.cohen_kappa,
            t("cal.majority"): a.majority_agreement_with_ties,
        },
    )


def agreement_section(view: CalibrationView, prefix: str) -> None:
    st.subheader(t("cal.agreement_title"))
    if not view.report.judges:
        st.info(t("cal.no_judges"))
        return
    rows = [_agreement_row(report) for report in view.report.judges]
    chart = [line for report in view.report.judges for line in _agreement_chart_rows(report)]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key=f"{prefix}_agreement")
    if chart:
        st.altair_chart(
            interval_chart(
                pd.DataFrame(chart),
                row_title=t("cal.judge"),
                axis_title=t("cal.value"),
                color_title=t("cal.figure"),
            ),
            width="stretch",
        )
    st.caption(t("cal.agreement_explain"))
    _confusion_section(view, prefix)


def _pick_clicked_cell(event: object, cells: Sequence[Cell], cell_key: str) -> None:
    """A click on the heatmap picks the cell (once per click, so the selectbox stays usable)."""
    selection = getattr(event, "selection", None) if event else None
    clicked = (selection.get(CELL_SELECTION) or []) if selection is not None else []
    if not clicked:
        return
    by_label = {(_verdict(h), _verdict(j)): (h, j) for h, j in cells}
    picked = by_label.get((clicked[0].get("human"), clicked[0].get("judge")))
    if picked is not None and st.session_state.get(f"{cell_key}_clicked") != picked:
        st.session_state[f"{cell_key}_clicked"] = picked
        st.session_state[cell_key] = picked


def _confusion_section(view: CalibrationView, prefix: str) -> None:
    st.subheader(t("cal.confusion_title"))
    names = [r.judge for r in view.report.judges]
    judge = st.selectbox(t("cal.confusion_judge"), names, key=f"{prefix}_confusion_judge")
    confusion = view.report.judge(judge).agreement.confusion
    if confusion.total == 0:
        st.info(t("cal.no_cells"))
        return
    labels = confusion.labels
    frame = pd.DataFrame(
        [
            {"human": _verdict(h), "judge": _verdict(j), "count": confusion.count(h, j)}
            for h in labels
            for j in labels
        ]
    )
    event = st.altair_chart(
        confusion_chart(
            frame,
            order=[_verdict(v) for v in labels],
            human_title=t("cal.human_verdict"),
            judge_title=t("cal.judge_verdict"),
            count_title=t("cal.count"),
        ),
        width="stretch",
        on_select="rerun",
        key=f"{prefix}_heat_{judge}",
    )
    st.caption(t("battle.matrix_orientation"))
    cells = [(h, j) for h in labels for j in labels if confusion.count(h, j) > 0]
    cell_key = f"{prefix}_cell_{judge}"
    _pick_clicked_cell(event, cells, cell_key)
    if st.session_state.get(cell_key) not in cells:
        # start on the biggest disagreement: that is what people come to look at
        off = [c for c in cells if c[0] is not c[1]]
        st.session_state[cell_key] = max(off or cells, key=lambda c: confusion.count(*c))
    human, judged = st.selectbox(
        t("cal.cell"),
        cells,
        format_func=lambda c: t(
            "cal.cell_label", human=_verdict(c[0]), judge=_verdict(c[1]), n=confusion.count(*c)
        ),
        key=cell_key,
    )
    _cell_battles_section(view, prefix, judge, (human, judged))


def _cell_battles_section(view: CalibrationView, prefix: str, judge: str, cell: Cell) -> None:
    human, judged = cell
    battles = cell_battles(view, judge, human, judged)
    st.markdown(f"**{t('cal.battles_title')}**")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("cal.battle"): b.ref.battle_id if b.ref else None,
                    t("cal.question_id"): b.battle.question_id,
                    t("cal.dimension"): _dimension(b.ref.dimension if b.ref else None),
                    t("cal.human_votes_in_cell"): len(b.human_verdicts),
                    t("cal.judge_verdict"): _verdict(b.judge_verdict),
                    t("cal.judge_verdicts"): join_list(_verdict(v) for v in b.judge_verdicts),
                }
                for b in battles
            ]
        ),
        hide_index=True,
        key=f"{prefix}_cell_battles",
    )
    refs = [b.ref for b in battles if b.ref is not None]
    if refs:
        ref = st.selectbox(
            t("cal.open_battle"),
            refs,
            format_func=lambda r: f"#{r.battle_id} · {_dimension(r.dimension)}",
            key=f"{prefix}_open_{judge}_{human.value}_{judged.value}",
        )
        _battle_section(ref)


def _battle_section(ref: BattleRef) -> None:
    """The question, both answers (untrusted: rendered inert) and every vote, without model names,
    in the battle's canonical order like every page that shows a battle."""
    engine = get_engine()
    battle = masked_view(engine, ref.battle_id, marker=t("vote.masked"))
    matrix_a = t("battle.answer_a") if ref.a_is_low else t("battle.answer_b")
    st.caption(t("battle.matrix_a", side=matrix_a))
    battle_panel(battle, votes_of(engine, ref.battle_id), current_lang())
    gold_action(engine, ref.battle_id, key="cal_gold")  # admins: mark it as a gold item
