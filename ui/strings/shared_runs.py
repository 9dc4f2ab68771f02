"""Strings of runs shared by several processes on the Runs page (docs/scale-out.md)."""

STRINGS: dict[str, dict[str, str]] = {
    "runs.already_running": {
        "zh": "同样的收集（同一版本、同一组模型）已在运行：第 {id} 号运行。未重复启动，进度见下方；"
        "其他机器可用 `python cli.py worker` 加入。",
        "en": "The same collection (same release and models) is already running as run #{id}. Nothing "
        "was started twice; progress below. Other machines can join it with `python cli.py worker`.",
    },
    "runs.judge_already_running": {
        "zh": "同样的评审运行（同一版本、评审模型、策略和预算）已在运行：第 {id} 号运行。未重复启动，进度见下方；"
        "其他机器可用 `python cli.py worker` 加入。",
        "en": "The same judge run (same release, judge, strategy and budget) is already running as run #{id}. "
        "Nothing was started twice; progress below. Other machines can join it with `python cli.py worker`.",
    },
}
