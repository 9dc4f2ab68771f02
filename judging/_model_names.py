"""The lexicon of Chinese and international model, product and vendor names that masking knows.

Each family lists its names by how far they can be trusted to mean a model:

- ``anywhere``: names that mean a model or an AI lab wherever they stand ("通义千问", "DeepSeek");
  Latin ones match case-insensitively as whole words.
- ``exact``: like ``anywhere`` but case-sensitive, because another spelling is an ordinary word
  ("MiniMax" the company, "minimax" the algorithm; "ERNIE" the model, "Ernie" the name).
- ``versioned``: ordinary words or names on their own ("Claude Monet", the Gemini constellation,
  a generalised linear model "GLM"), a model name with a version attached ("Claude 3.5", "GLM-4",
  "abab6.5s"); on their own they are masked like ``identity`` names.
- ``identity``: ordinary words or companies that make other products ("元宝" money, "天工开物",
  "星火燎原", "百度地图", "Step by step"); masked only where an answer says who it is
  ("我是元宝，…", "由百度开发", "developed by Google").

A version tail after any of them ("2.5-72B-Instruct", "-V3", "-Turbo", " Pro") is masked with it;
the tail grammar lives in ``judging.anonymize``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MODEL_FAMILIES", "ModelFamily"]


@dataclass(frozen=True)
class ModelFamily:
    family: str  # a label for people reading the table and the tests
    anywhere: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()
    versioned: tuple[str, ...] = ()
    identity: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        return (*self.anywhere, *self.exact, *self.versioned, *self.identity)


# "·" in a name also matches "・", "•" or nothing ("书生·浦语", "书生浦语"); a space matches any run
# of whitespace or none ("ERNIE Bot", "ERNIEBot").
MODEL_FAMILIES: tuple[ModelFamily, ...] = (
    ModelFamily(
        "Alibaba Qwen",
        anywhere=("通义千问", "通义", "千问", "Qwen", "QwQ", "Tongyi"),
        identity=("阿里云", "阿里巴巴", "阿里", "Alibaba Cloud", "Alibaba"),
    ),
    ModelFamily(
        "Baidu ERNIE",
        anywhere=("文心一言", "文心大模型", "ERNIE Bot", "文小言"),
        exact=("ERNIE",),
        identity=("文心", "百度", "Baidu"),
    ),
    ModelFamily(
        "ByteDance Doubao",
        anywhere=("Doubao", "豆包大模型", "云雀大模型"),
        identity=("豆包", "云雀", "字节跳动", "字节", "ByteDance"),
    ),
    ModelFamily(
        "Moonshot Kimi",
        anywhere=("Kimi", "Moonshot AI", "moonshot-v1"),
        identity=("月之暗面", "Moonshot"),
    ),
    ModelFamily("DeepSeek", anywhere=("DeepSeek", "深度求索")),
    ModelFamily(
        "Zhipu GLM",
        anywhere=("智谱清言", "智谱", "ChatGLM", "Zhipu", "CodeGeeX"),
        versioned=("GLM",),
    ),
    ModelFamily(
        "Tencent Hunyuan",
        anywhere=("腾讯混元", "混元大模型", "Hunyuan", "腾讯元宝"),
        identity=("混元", "元宝", "腾讯", "Tencent"),
    ),
    ModelFamily(
        "iFlytek Spark",
        anywhere=(
            "讯飞星火",
            "星火认知",
            "讯飞星火认知大模型",
            "星火认知大模型",
            "星火大模型",
            "SparkDesk",
            "iFlytek Spark",
        ),
        identity=("星火", "Spark", "科大讯飞", "讯飞", "iFlytek"),
    ),
    ModelFamily(
        "Huawei Pangu",
        anywhere=("盘古大模型",),
        identity=("盘古", "Pangu", "华为", "Huawei"),
    ),
    ModelFamily(
        "MiniMax",
        anywhere=("海螺AI", "Hailuo"),
        exact=("MiniMax",),
        versioned=("abab",),
        identity=("海螺", "稀宇科技"),
    ),
    ModelFamily(
        "Baichuan",
        anywhere=("百川智能", "百川大模型", "Baichuan", "百小应"),
        identity=("百川",),
    ),
    ModelFamily(
        "StepFun Step",
        anywhere=("阶跃星辰", "StepFun", "跃问"),
        identity=("Step",),
    ),
    ModelFamily(
        "Kunlun Skywork",
        anywhere=("天工AI", "天工大模型", "Skywork"),
        identity=("天工", "昆仑万维", "Kunlun"),
    ),
    ModelFamily(
        "Shanghai AI Lab InternLM",
        anywhere=("InternLM", "书生·浦语", "浦语", "书生·万象", "InternVL"),
        identity=("书生", "上海人工智能实验室", "Shanghai AI Lab", "Shanghai AI Laboratory"),
    ),
    ModelFamily(
        "360 Zhinao",
        anywhere=("360智脑", "360GPT"),
        identity=("奇虎360", "360公司", "360集团", "智脑"),
    ),
    ModelFamily(
        "01.AI Yi",
        anywhere=("零一万物", "01.AI", "Yi-Lightning", "Yi-Large"),
        versioned=("Yi",),
    ),
    ModelFamily(
        "SenseTime SenseChat",
        anywhere=("SenseChat", "SenseNova", "商汤商量"),
        identity=("商量", "日日新", "商汤科技", "商汤", "SenseTime"),
    ),
    ModelFamily("ModelBest MiniCPM", anywhere=("MiniCPM", "面壁智能")),
    ModelFamily(
        "OpenAI GPT",
        anywhere=("ChatGPT", "OpenAI"),
        versioned=("GPT",),
        identity=("o1", "o3", "o4-mini", "o1-mini", "o3-mini", "o1-preview"),
    ),
    ModelFamily("Anthropic Claude", anywhere=("Anthropic",), versioned=("Claude",)),
    ModelFamily(
        "Google Gemini",
        anywhere=("Google Bard", "Google Gemini", "Google DeepMind", "DeepMind"),
        exact=("PaLM",),
        versioned=("Gemini", "Gemma"),
        identity=("Bard", "Google", "谷歌"),
    ),
    ModelFamily(
        "Meta Llama",
        anywhere=("Meta AI", "Meta Llama"),
        exact=("LLaMA",),
        versioned=("Llama",),
        identity=("Meta",),
    ),
    ModelFamily("Mistral", anywhere=("Mistral AI", "Mixtral"), versioned=("Mistral",)),
    ModelFamily("xAI Grok", exact=("xAI",), versioned=("Grok",)),
    ModelFamily(
        "Microsoft Copilot",
        anywhere=("Microsoft Copilot", "Bing Chat", "GitHub Copilot"),
        versioned=("Phi",),
        identity=("Copilot", "Microsoft", "微软"),
    ),
)
