"""Strings of the Events and Verify pages added with feeds, stale candidates and the target mix
(pages/9_events.py, pages/10_verify.py)."""

STRINGS: dict[str, dict[str, str]] = {
    "ev.status.stale": {"zh": "超时未审", "en": "stale"},
    # events from feeds (pages/9_events.py)
    "evf.import": {"zh": "从新闻源或事件列表导入", "en": "Import from a feed or an event list"},
    "evf.import_help": {
        "zh": "RSS/Atom 新闻源，或含 title、date、summary、url、dimensions 字段的 JSON/JSONL/CSV 事件列表。按链接和相近标题去重；维度按内容类别词表和各维度关键词建议。任何一条缺日期或格式有误时整批不导入（可选择跳过有误的条目）。命令行：python cli.py events import SOURCE。",
        "en": "An RSS/Atom feed, or a JSON/JSONL/CSV event list with title, date, summary, url, dimensions. Duplicates by link and near-duplicate title are skipped; dimensions are proposed from the content-category lexicon and a keyword table per dimension. If any entry lacks a date or is malformed nothing is imported (unless you skip bad entries). CLI: python cli.py events import SOURCE.",
    },
    "evf.file": {"zh": "文件", "en": "File"},
    "evf.feed": {"zh": "已配置的新闻源", "en": "Configured feed"},
    "evf.no_feeds": {
        "zh": "还没有配置新闻源（管理员可在下方添加）。只会抓取已配置的网址。",
        "en": "No feeds are configured (an admin can add one below). Only configured URLs are fetched.",
    },
    "evf.skip_invalid": {
        "zh": "跳过有误的条目，导入其余条目",
        "en": "Skip bad entries and import the others",
    },
    "evf.import_file": {"zh": "导入文件", "en": "Import the file"},
    "evf.fetch": {"zh": "抓取并导入", "en": "Fetch and import"},
    "evf.imported": {
        "zh": "从 {source} 导入 {n} 个事件，跳过 {duplicates} 个重复、{invalid} 个有误条目。",
        "en": "Imported {n} events from {source}; skipped {duplicates} duplicates and {invalid} bad entries.",
    },
    "evf.refused": {"zh": "未导入任何事件：{error}", "en": "Nothing was imported: {error}"},
    "evf.feeds": {"zh": "新闻源设置（管理员）", "en": "Feed settings (admin)"},
    "evf.feed_name": {"zh": "名称", "en": "Name"},
    "evf.feed_url": {"zh": "网址", "en": "URL"},
    "evf.feed_add": {"zh": "添加或更新", "en": "Add or update"},
    "evf.feed_remove": {"zh": "移除", "en": "Remove"},
    "evf.feed_saved": {"zh": "已保存新闻源设置。", "en": "Feed settings saved."},
    "evf.source": {"zh": "来源", "en": "Source"},
    "evf.fetched_at": {"zh": "读取时间", "en": "Read at"},
    "evf.from_source": {"zh": "来源：{source}，读取于 {at}", "en": "From {source}, read at {at}"},
    # verification pace (pages/10_verify.py)
    "evv.stale_days": {"zh": "多少天内未审完即超时", "en": "Days before an unverified candidate goes stale"},
    "evv.rule_now": {
        "zh": "候选题进入队列后 {days} 天内未审完即标记为超时，不会进入草稿；管理员可将其放回队列。",
        "en": "A candidate not verified within {days} days of entering the queue is marked stale and never joins a draft; an admin can put it back.",
    },
    "evv.went_stale": {
        "zh": "{n} 道候选题超过 {days} 天未审完，已标记为超时。",
        "en": "{n} candidates were not verified within {days} days and are now stale.",
    },
    "evv.mix": {"zh": "草稿 {draft} 与目标配比", "en": "Draft {draft} against the target mix"},
    "evv.mix_none": {
        "zh": "目标配比（还没有草稿，第一道通过的题目会新建草稿）",
        "en": "Target mix (no draft yet; the first approval starts one)",
    },
    "evv.target": {"zh": "目标新题数", "en": "Target (new)"},
    "evv.verified": {"zh": "已通过的新题", "en": "New, verified"},
    "evv.anchors": {"zh": "锚题", "en": "Anchors"},
    "evv.waiting": {"zh": "队列中", "en": "In the queue"},
    "evv.missing": {"zh": "还差", "en": "Still needed"},
    "evv.target_form": {"zh": "目标配比（管理员）", "en": "Target mix (admin)"},
    "evv.min_anchors": {"zh": "每个维度至少保留的锚题", "en": "Anchors carried over per dimension, at least"},
    "evv.target_saved": {"zh": "已保存目标配比。", "en": "Target mix saved."},
    "evv.queued": {
        "zh": "进入队列 {days} 天；{left} 天后超时。",
        "en": "In the queue for {days} days; stale in {left} days.",
    },
    "evv.stale": {"zh": "超时未审的候选题（{n}）", "en": "Stale candidates ({n})"},
    "evv.requeue": {"zh": "放回审核队列", "en": "Put back in the queue"},
    "evv.requeued": {
        "zh": "候选题 #{id} 已放回队列；之前的通过不再计数。",
        "en": "Candidate #{id} is back in the queue; earlier approvals no longer count.",
    },
}
