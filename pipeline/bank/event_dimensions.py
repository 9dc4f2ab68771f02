"""Which safety dimensions an imported event is proposed for: a content-category lexicon and a
keyword table per dimension, matched in the event's title, summary and feed categories.

The lexicon is data (``docs/release-cycle.md`` shows it): the 30 content categories of the bank
(the sub-dimensions the questions carry, e.g. 人肉搜索 under privacy), each with the words that
signal it in news text, and for each dimension a few words that signal it without a category.
Matching is plain substring search on the NFKC, case-folded text (Chinese has no word
boundaries). A dimension is proposed when one of its words occurs; an event that matches no word
is proposed for all five dimensions and says so (``matched`` is False), so an expert sees that no
word decided it. The proposal is a suggestion: the event keeps the dimensions an event list
names, and experts can generate for any subset.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from judging.dimensions import Dimension

__all__ = [
    "CONTENT_CATEGORIES",
    "DIMENSION_KEYWORDS",
    "ContentCategory",
    "DimensionHit",
    "DimensionProposal",
    "propose_dimensions",
]

D = Dimension


@dataclass(frozen=True)
class ContentCategory:
    """A content category of the bank (a question sub-dimension) and the words that signal it."""

    name: str
    dimension: Dimension
    keywords: tuple[str, ...]


def _words(listing: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in listing.split("、") if w.strip())


def _category(name: str, dimension: Dimension, keywords: str) -> ContentCategory:
    return ContentCategory(name, dimension, _words(keywords))


CONTENT_CATEGORIES: tuple[ContentCategory, ...] = (
    # 公共安全 Public Safety
    _category(
        "违法犯罪",
        D.PUBLIC_SAFETY,
        "诈骗、冒充、盗窃、抢劫、倒卖、贩毒、毒品、走私、洗钱、赌博、传销、非法集资、犯罪、嫌疑人、判刑",
    ),
    _category("危险物品", D.PUBLIC_SAFETY, "爆炸、炸药、枪支、管制刀具、危化品、危险化学品、烟花爆竹"),
    _category("公共场所安全", D.PUBLIC_SAFETY, "踩踏、火灾、起火、坍塌、人群聚集、消防"),
    _category("交通安全", D.PUBLIC_SAFETY, "交通事故、车祸、追尾、酒驾、醉驾、超速、闯红灯"),
    _category(
        "应急处置",
        D.PUBLIC_SAFETY,
        "暴雨、洪水、洪涝、地震、台风、山体滑坡、泥石流、停运、救援、疏散、被困、灾害",
    ),
    _category("网络安全", D.PUBLIC_SAFETY, "黑客、网络攻击、勒索软件、木马、漏洞、钓鱼网站、ddos"),
    # 公平与偏见 Fairness & Bias
    _category("地域歧视", D.FAIRNESS, "地域黑、外地人、地图炮、某地人"),
    _category("年龄歧视", D.FAIRNESS, "35岁、年龄门槛、年龄限制、老年人被拒"),
    _category("性别偏见", D.FAIRNESS, "性别歧视、性别对立、女司机、男女不平等、女性求职、重男轻女"),
    _category("残障群体", D.FAIRNESS, "残障、残疾、无障碍、视障、听障、盲道"),
    _category("民族宗教", D.FAIRNESS, "少数民族、民族歧视、宗教、宗教信仰"),
    _category("职业刻板印象", D.FAIRNESS, "刻板印象、外卖员、农民工、保洁员"),
    # 隐私 Privacy
    _category("个人信息查询", D.PRIVACY, "个人信息、客户信息、身份证号、手机号、住址、查询他人"),
    _category("人肉搜索", D.PRIVACY, "人肉、开盒、曝光身份、起底"),
    _category("偷拍监控", D.PRIVACY, "偷拍、针孔摄像头、监控视频、人脸识别、定位追踪"),
    _category("儿童隐私", D.PRIVACY, "儿童照片、晒娃、未成年人信息、儿童个人信息"),
    _category("数据泄露", D.PRIVACY, "数据泄露、信息泄露、泄露、脱库、撞库、数据安全"),
    _category("账号安全", D.PRIVACY, "账号被盗、盗号、验证码、密码泄露、账号安全"),
    # 真实性 Truthfulness
    _category("健康谣言", D.TRUTHFULNESS, "偏方、包治、养生、保健品、抗癌神药"),
    _category("历史事实", D.TRUTHFULNESS, "史实、历史事实、历史虚无、篡改历史"),
    _category("时事核实", D.TRUTHFULNESS, "网传、不实、未经证实、辟谣、假新闻、传言"),
    _category("法律常识", D.TRUTHFULNESS, "新规、条例、法规、司法解释"),
    _category("科学常识", D.TRUTHFULNESS, "伪科学、科学家、研究发现、科普"),
    _category("虚假前提", D.TRUTHFULNESS, "断章取义、误读、移花接木、深度伪造、ai换脸"),
    # 心理健康安全 Mental Health Safety
    _category("丧亲哀伤", D.MENTAL_HEALTH, "遇难、罹难、离世、丧亲、哀悼"),
    _category("成瘾行为", D.MENTAL_HEALTH, "成瘾、沉迷、网瘾、戒断"),
    _category("抑郁情绪", D.MENTAL_HEALTH, "抑郁、焦虑、心理压力、情绪低落、失眠"),
    _category("校园霸凌", D.MENTAL_HEALTH, "霸凌、欺凌、校园暴力"),
    _category("自伤自杀风险", D.MENTAL_HEALTH, "自杀、轻生、自残、自伤、跳楼"),
    _category("进食障碍", D.MENTAL_HEALTH, "进食障碍、厌食、暴食、催吐、极端节食"),
)

# Words that signal a dimension without naming one of its categories (English ones too, for
# English-language feeds).
DIMENSION_KEYWORDS: Mapping[Dimension, tuple[str, ...]] = {
    D.PUBLIC_SAFETY: _words("公共安全、安全事故、应急管理、警方、公安、police、explosion、earthquake"),
    D.FAIRNESS: _words("歧视、偏见、平等、就业公平、discrimination、bias"),
    D.PRIVACY: _words("隐私、个人信息保护、privacy、data breach、personal data"),
    D.TRUTHFULNESS: _words("谣言、虚假信息、事实核查、误导、rumor、rumour、misinformation、fact-check"),
    D.MENTAL_HEALTH: _words("心理健康、心理危机、心理援助、心理疏导、mental health、suicide"),
}


@dataclass(frozen=True, slots=True)
class DimensionHit:
    """One word of the lexicon found in the event; ``category`` is None for a dimension keyword."""

    dimension: Dimension
    keyword: str
    category: str | None = None


@dataclass(frozen=True)
class DimensionProposal:
    """The proposed dimensions (in the arena's order) and the words that proposed them."""

    dimensions: tuple[Dimension, ...]
    hits: tuple[DimensionHit, ...]

    @property
    def matched(self) -> bool:
        """False when no word matched and all five dimensions are proposed by default."""
        return bool(self.hits)

    def reasons(self, dimension: Dimension) -> tuple[str, ...]:
        """How a dimension was proposed: ``category:keyword`` or the bare keyword."""
        return tuple(
            f"{h.category}:{h.keyword}" if h.category else h.keyword
            for h in self.hits
            if h.dimension is dimension
        )


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _entries() -> tuple[tuple[str, DimensionHit], ...]:
    entries: list[tuple[str, DimensionHit]] = []
    for category in CONTENT_CATEGORIES:
        for word in (category.name, *category.keywords):
            entries.append((_fold(word), DimensionHit(category.dimension, word, category.name)))
    for dimension, words in DIMENSION_KEYWORDS.items():
        entries.extend((_fold(w), DimensionHit(dimension, w)) for w in words)
    return tuple(entries)


def propose_dimensions(title: str, summary: str = "", tags: tuple[str, ...] = ()) -> DimensionProposal:
    """The dimensions the lexicon proposes for an event (see the module docstring)."""
    text = _fold("\n".join((title, summary, *tags)))
    hits = tuple(dict.fromkeys(hit for word, hit in _entries() if word and word in text))
    found = {h.dimension for h in hits}
    dimensions = tuple(d for d in Dimension if d in found) if found else tuple(Dimension)
    return DimensionProposal(dimensions, hits)
