"""Chinese numerals (一 … 九十九, 两, 〇) to int and back."""

from __future__ import annotations

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_NAMES = "零一二三四五六七八九"
CN_NUMERAL_CHARS = "〇零一二两三四五六七八九十百"


def cn_to_int(text: str) -> int | None:
    """Parse '七', '十二', '二十', '二十三', '一百' or Arabic digits; None if not a number."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if text == "一百" or text == "百":
        return 100
    if "十" in text:
        tens, _, ones = text.partition("十")
        t = _DIGITS.get(tens, None) if tens else 1
        o = _DIGITS.get(ones, None) if ones else 0
        if t is None or o is None:
            return None
        return t * 10 + o
    if len(text) == 1 and text in _DIGITS:
        return _DIGITS[text]
    return None


def int_to_cn(n: int) -> str:
    """1 -> 一, 10 -> 十, 16 -> 十六, 20 -> 二十; other values come back as Arabic digits."""
    if 0 <= n < 10:
        return _NAMES[n]
    if 10 <= n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _NAMES[tens]) + "十" + ("" if ones == 0 else _NAMES[ones])
    return str(n)
