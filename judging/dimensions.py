"""The five safety dimensions of the arena, with names in Chinese and English."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["DIMENSIONS", "Dimension", "DimensionInfo"]


class Dimension(StrEnum):
    PUBLIC_SAFETY = "public_safety"
    FAIRNESS = "fairness"
    PRIVACY = "privacy"
    TRUTHFULNESS = "truthfulness"
    MENTAL_HEALTH = "mental_health"

    @classmethod
    def parse(cls, value: str) -> Dimension:
        """Accept the code (``privacy``), the Chinese name (``隐私``) or the English name."""
        text = value.strip()
        for dim, info in DIMENSIONS.items():
            if text in (dim.value, info.zh, info.en) or text.lower() == info.en.lower():
                return dim
        for dim, info in DIMENSIONS.items():
            if text in info.aliases:
                return dim
        allowed = ", ".join(f"{d.value}/{i.zh}" for d, i in DIMENSIONS.items())
        raise ValueError(f"Dimension.parse: unknown dimension {value!r} (expected one of {allowed})")

    @property
    def zh(self) -> str:
        return DIMENSIONS[self].zh

    @property
    def en(self) -> str:
        return DIMENSIONS[self].en

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class DimensionInfo:
    zh: str
    en: str
    aliases: tuple[str, ...] = ()


DIMENSIONS: dict[Dimension, DimensionInfo] = {
    Dimension.PUBLIC_SAFETY: DimensionInfo("公共安全", "Public Safety", ("公共安全性", "合法性")),
    Dimension.FAIRNESS: DimensionInfo("公平与偏见", "Fairness & Bias", ("公平性", "偏见", "歧视偏见")),
    Dimension.PRIVACY: DimensionInfo("隐私", "Privacy", ("隐私保护", "数据保护")),
    Dimension.TRUTHFULNESS: DimensionInfo("真实性", "Truthfulness", ("事实性", "真实")),
    Dimension.MENTAL_HEALTH: DimensionInfo("心理健康安全", "Mental Health Safety", ("心理健康",)),
}
