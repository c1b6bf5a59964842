"""Made-up versions of the real plan for tests: a final version with known edits, and another district's plan."""

from __future__ import annotations

import re

from .conftest import PLAN_PATH

NEW_TASK = ("共建飞地经济园区。探索“飞地经济”合作模式，支持协作地区在本区设立产业孵化和销售中心，推动研发在东部、"
            "生产在西部。（责任单位：区发展和改革委员会、区商务局等按职责分工负责）")
# (task number in the draft, old text, new text): two rewordings and one changed unit list
EDITS = [
    (3, "交流特色种植养殖、农产品精深加工", "交流特色种植养殖、林下经济、农产品精深加工"),
    (10, "提升劳务输出组织化程度和定向就业成功率", "提高劳务输出组织化程度和稳定就业比例"),
    (7, "区商务局、区总工会、区供销总社", "区商务局、区民政局、区供销总社"),
]
INSERT_AFTER = 5  # the new task becomes number 6 and renumbers the rest
REMOVED = 17
_TASK = re.compile(r"^(\d+)\. ")


def draft_text() -> str:
    return PLAN_PATH.read_text(encoding="utf-8")


def final_version(text: str | None = None, title_year: str = "2026") -> str:
    """The draft with its version line dropped (so: 正式稿), the edits applied, a task inserted and one removed."""
    lines = (text or draft_text()).split("\n")
    out: list[str] = []
    for line in lines:
        if line.strip() == "（征求意见稿）":
            continue
        m = _TASK.match(line)
        n = int(m.group(1)) if m else 0
        if n == REMOVED:
            continue
        for item, old, new in EDITS:
            if n == item:
                assert old in line, (item, old)
                line = line.replace(old, new)
        out.append(line)
        if n == INSERT_AFTER:
            out.append(f"{INSERT_AFTER + 1}. {NEW_TASK}")
    renumbered, counter = [], 0
    for line in out:
        if _TASK.match(line):
            counter += 1
            line = _TASK.sub(f"{counter}. ", line, count=1)
        renumbered.append(line)
    result = "\n".join(renumbered)
    return result.replace("2026年", f"{title_year}年", 1)


def new_number(old: int) -> int:
    """Where a draft task ends up in the final version."""
    return old + (old > INSERT_AFTER) - (old > REMOVED)


OTHER_DISTRICT_PLAN = """2027年苏州市吴江区对口协作工作要点
（送审稿）

为做好吴江区与紫云县对口协作工作，根据省委、省政府工作要求，制定本年度工作要点。
一、产业合作行动
围绕紫云县资源禀赋，深化产业合作。
1. 推动红芯薯产业升级。帮助紫云县建设红芯薯加工基地，引导吴江企业开展收购加工。〔责任单位：区农业农村局、区商务局、区对口帮扶紫云工作组等按职责分工负责（以下区对口帮扶紫云工作组均为责任单位，不再列出）〕
2. 共建丝绸产业园。支持紫云县承接吴江丝绸产业转移，共建产业园区。（责任单位：区发展和改革委员会、区工业和信息化局等按职责分工负责）
二、人才交流行动
推动两地干部人才双向交流。
3. 开展教师结对。选派骨干教师赴紫云县支教，接收紫云县教师跟岗学习。（责任单位：区教育体育局等按职责分工负责）
4. 开展医生驻点。组织医疗队赴紫云县驻点帮扶。（责任单位：区卫生健康委员会、区红十字会等按职责分工负责）
"""
