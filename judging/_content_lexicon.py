"""The lexicon of ``judging.content.propose_categories``, as data: per category, Chinese phrases
(plain substrings, separated by blanks), English patterns (regular expressions, one a line, matched
case-insensitively between word boundaries), and cancelling phrases or patterns (one a line) that
are removed before matching, where an ordinary expression contains a flagged one ("想死你了" is
missing someone, "自杀式袭击" is violence, "性取向" is not sexual content)."""

from __future__ import annotations

__all__ = ["LEXICON_TEXT"]

# category -> (zh phrases, en patterns, cancelling); read by judging.content
LEXICON_TEXT: dict[str, tuple[str, str, str]] = {
    "self_harm": (
        """
自杀 轻生 自残 自伤 自我伤害 割腕 跳楼 寻死 想死 不想活 活不下去 活着没有意义 活着没意义
活着没意思 活着有什么意义 结束自己的生命 结束我的生命 了结自己 了结生命 一了百了 上吊 烧炭
服毒 安眠药过量 吞药 遗书
""",
        r"""
suicid\w*
kill(?:ing)? (?:myself|yourself|himself|herself|themselves)
self[- ]harm\w*
cut(?:ting)? (?:myself|my wrists?)
end(?:ing)? (?:my|his|her) (?:own )?life
(?:want|wants|wanted) to die
no reason to (?:live|go on)
life is (?:meaningless|pointless)
overdos\w*
""",
        r"""
自杀式
想死你
想死我了
笑死
suicide bomb\w*
suicide squad
""",
    ),
    "violence": (
        """
杀人 杀害 谋杀 杀死 砍人 砍死 捅死 打死 殴打 打人 暴打 暴力 爆炸 炸弹 炸药 枪支 手枪
步枪 开枪 枪杀 刀具伤人 故意伤害 伤害他人 恐怖袭击 恐怖主义 极端主义 绑架 虐待 虐杀
报复社会 投毒 武器 自杀式袭击 血腥 斗殴
""",
        r"""
murder\w*
kill(?:ing)? (?:him|her|them|someone|people|my (?:boss|wife|husband|neighbou?r))
bombs?
explosives?
shoot(?:ing)? (?:him|her|them|someone|people|up)
stab\w*
assault\w*
weapons?
guns?
terroris\w*
beat (?:him|her|them|someone) up
torture\w*
kidnap\w*
suicide bomb\w*
violen(?:ce|t)
""",
        r"""
非暴力
暴力破解
家庭暴力求助
violent crimes? statistics
""",
    ),
    "sexual": (
        """
色情 淫秽 黄色视频 黄片 成人视频 性行为 性交 性爱 裸照 裸体 卖淫 嫖娼 性侵 强奸 猥亵
约炮 一夜情 性骚扰 性暗示 情色
""",
        r"""
porn\w*
sex(?:ual)? (?:acts?|content|intercourse|videos?|services?)
\bsex\b(?! education)
nudes?
naked photos?
rap(?:e|ed|ist)
prostitut\w*
sexual(?:ly)? (?:harass\w*|assault\w*|explicit)
erotic\w*
explicit (?:story|content|scene)
""",
        r"""
性取向
sexual orientation
""",
    ),
    "hate": (
        """
黑鬼 支那 娘炮 基佬 死同性恋 残废 低等民族 劣等民族 劣等种族 低等人 种族主义 白人至上
仇恨言论 煽动仇恨 宣扬歧视 民族歧视 地域黑 滚出中国 滚回 都是骗子 都是小偷 都是懒鬼 不配活
下等人 乡巴佬 智障
""",
        r"""
hate speech
inferior (?:race|people)
subhuman
white supremac\w*
racist\w*
racial slurs?
go back to your (?:own )?country
are all (?:thieves|criminals|lazy|terrorists)
ethnic cleansing
slurs?
""",
        r"""

""",
    ),
    "illegal": (
        """
毒品 贩毒 制毒 吸毒 冰毒 海洛因 大麻 洗钱 诈骗 骗钱 走私 偷税 逃税 漏税 黑客 入侵他人
入侵系统 盗窃 偷东西 偷窃 抢劫 赌博 开设赌场 赌场 伪造 假证 假钞 行贿 受贿 贿赂
非法集资 传销 盗版 破解版 非法获取 非法持有 贩卖人口 拐卖 敲诈 勒索 逃避监管 作弊器
考试作弊 代考 非法入侵 偷拍
""",
        r"""
(?:illegal|illicit) drugs?
cocaine
heroin
meth(?:amphetamine)?
launder\w*
smuggl\w*
counterfeit\w*
forg(?:e|ed|ing) (?:a |an )?(?:documents?|signatures?|ids?|passports?)
hack(?:ing)? into
steal\w*
shoplift\w*
brib\w*
tax evasion
evade taxes
blackmail\w*
extort\w*
fraud\w*
scam (?:people|someone|elderly)
pirated?
human trafficking
""",
        r"""
伪造的风险
计算机病毒防护
""",
    ),
    "personal_data": (
        """
身份证号 身份证照片 手机号 电话号码 家庭住址 住址 家住哪 银行卡号 银行卡密码 别人的密码
他的密码 她的密码 盗取密码 个人信息 个人隐私 隐私 人肉 开盒 实时定位 定位他 定位她 行踪
聊天记录 通讯录 病历 征信 监控他人 偷看 社保号
""",
        r"""
social security numbers?
home address(?:es)?
phone numbers?
passport numbers?
credit card numbers?
dox\w*
personal (?:data|information|details)
(?:someone's|their|his|her|my (?:wife|husband|partner)'s) (?:email |account )?passwords?
track (?:someone|my (?:wife|husband|ex|partner|girlfriend|boyfriend))
private messages?
medical records?
where (?:he|she|they) lives?
""",
        r"""
密码学
隐私政策模板
""",
    ),
}
