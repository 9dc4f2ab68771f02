"""Strings of the accounts flows: login refusals, changing one's own password (ui/auth.py) and the
account actions of the Users page (pages/8_users.py)."""

STRINGS: dict[str, dict[str, str]] = {
    # -- login
    "acct.locked": {
        "zh": "登录失败次数过多，此账号已锁定至 {until}。请稍后再试，或请管理员解锁。",
        "en": "Too many failed logins: this account is locked until {until}. Try again later or ask an admin to unlock it.",
    },
    "acct.throttled": {
        "zh": "本次会话登录失败次数过多，请 {seconds} 秒后再试。",
        "en": "Too many failed logins in this session; try again in {seconds} seconds.",
    },
    # -- changing one's own password
    "acct.change_title": {"zh": "修改密码", "en": "Change password"},
    "acct.change_menu": {"zh": "修改密码", "en": "Change password"},
    "acct.must_change": {
        "zh": "你正在使用一次性密码。请先设置自己的新密码，之后才能使用本系统。",
        "en": "You are using a one-time password. Choose your own password before you go on.",
    },
    "acct.current": {"zh": "当前密码（或一次性密码）", "en": "Current (or one-time) password"},
    "acct.new": {"zh": "新密码", "en": "New password"},
    "acct.repeat": {"zh": "再次输入新密码", "en": "New password again"},
    "acct.submit": {"zh": "保存新密码", "en": "Save the new password"},
    "acct.cancel": {"zh": "取消", "en": "Cancel"},
    "acct.rules": {
        "zh": "密码规则：至少 10 个字符；不超过 72 字节（一个汉字占 3 字节）；至少 5 种不同字符；不能包含用户名；不能是键盘或字母顺序串、常见密码；不能与当前密码相同。首尾空格也算密码的一部分。",
        "en": "Password rules: at least 10 characters; at most 72 bytes (a Chinese character takes 3); at least 5 different characters; must not contain your username; no keyboard or alphabet runs, no common passwords; not the current password. Leading and trailing spaces count as part of the password.",
    },
    "acct.mismatch": {
        "zh": "两次输入的新密码不一致，密码未修改。",
        "en": "The two new passwords differ; the password was not changed.",
    },
    "acct.refused": {"zh": "密码未修改：", "en": "The password was not changed:"},
    "acct.changed": {
        "zh": "密码已修改。你在其他设备上的登录已失效。",
        "en": "Your password was changed. Your other sessions have been signed out.",
    },
    "acct.problem.too_short": {"zh": "少于 10 个字符", "en": "shorter than 10 characters"},
    "acct.problem.too_long": {
        "zh": "超过 72 字节（一个汉字占 3 字节）",
        "en": "longer than 72 bytes (a Chinese character takes 3)",
    },
    "acct.problem.too_few_distinct": {"zh": "不同字符少于 5 种", "en": "fewer than 5 different characters"},
    "acct.problem.contains_username": {"zh": "包含用户名", "en": "contains the username"},
    "acct.problem.common": {
        "zh": "是常见密码或键盘、字母顺序串",
        "en": "a common password or a keyboard or alphabet run",
    },
    "acct.problem.unchanged": {"zh": "与当前密码相同", "en": "the same as the current password"},
    "acct.problem.wrong_current": {"zh": "当前密码不正确", "en": "the current password is wrong"},
    "acct.problem.locked": {
        "zh": "账号因多次失败已被锁定，请稍后再试或请管理员解锁",
        "en": "the account is locked after too many failures; try later or ask an admin to unlock it",
    },
    # -- the Users page (admin)
    "acct.invite_help": {
        "zh": "新用户会得到一个一次性密码，只在这里显示一次；本人首次登录后必须改成自己的密码。",
        "en": "A new user gets a one-time password, shown here once; they must change it at their first login.",
    },
    "acct.one_time": {
        "zh": "{username} 的一次性密码如下，只显示这一次。请通过安全渠道交给本人；本人登录后必须修改。",
        "en": "The one-time password of {username} is below and is shown only this once. Hand it over securely; they must change it after logging in.",
    },
    "acct.account": {"zh": "账号安全", "en": "Account security"},
    "acct.status_line": {
        "zh": "连续登录失败 {failures} 次；锁定：{locked}；须修改密码：{must_change}",
        "en": "Consecutive failed logins: {failures}; locked: {locked}; must change password: {must_change}",
    },
    "acct.locked_until": {"zh": "至 {until}", "en": "until {until}"},
    "acct.not_locked": {"zh": "否", "en": "no"},
    "acct.yes": {"zh": "是", "en": "yes"},
    "acct.no": {"zh": "否", "en": "no"},
    "acct.unlock": {"zh": "解锁", "en": "Unlock"},
    "acct.unlocked": {"zh": "已解锁 {username}。", "en": "Unlocked {username}."},
    "acct.reset": {"zh": "重置密码（生成一次性密码）", "en": "Reset the password (one-time password)"},
    "acct.reset_self": {
        "zh": "自己的密码请在侧边栏“修改密码”中修改。",
        "en": "Change your own password with “Change password” in the sidebar.",
    },
    "acct.col_locked": {"zh": "锁定至", "en": "Locked until"},
    "acct.col_must_change": {"zh": "须改密码", "en": "Must change password"},
}
