"""The 关于 tab: what the corpus holds, how answers are made, and how to cite them."""

from __future__ import annotations

import logging

import gradio as gr

from ..service import Service
from .documents import client_address
from .render import escape_markdown

METHOD = """
### 回答是怎么来的

1. **精确查询**：问“某单位负责哪些任务”“第N项由谁牵头”“某部分包括哪些任务”“哪些任务由几个单位共同负责”时，直接从要点解析出的任务记录（任务序号、标题、所属部分、责任单位）中查出，**完整列出、不遗漏**。
   单位可用简称或别称（如“发改委”“区总工会”“妇联”）。
2. **检索摘录**：其他问题（如“劳模疗休养是哪项工作”）用 BM25 关键词检索与向量语义检索混合排序（RRF 融合），从命中的条款中**摘录原文句子**作答，来源中以<mark>高亮</mark>标出作答的句子。
3. **如实拒答**：文档中找不到依据时，直接说明“没有找到”，不编造。
4. **概览与术语**：问“这个文件大概说了些啥”“要点分成几块”“对口哪几个县”“是不是正式文件”“X是什么”时，从要点的标题、前言、部分说明和任务记录作答；术语表由原文中的引号名称、“…行动/工程”、简称等规则找出，相关文件有说明的附上说明（新的在前），语料没有解释的会如实说明并列出出现位置。“入门”页汇总了这些内容。
5. **追问**：同一对话中可以接着问“那区妇联呢”“它的责任单位是谁”“第二项呢”，或把上一问里的协作县换成另一个（“X县呢”），系统会结合上一问理解；点“清空对话”后重新开始。输入框下方的“接着问”是根据本次回答引用的任务、单位和术语生成的两三个问题（都先试答过，不会被拒答），点击即问。

每个回答下方的“来源”可展开，列出文档标题、所属部分、任务序号、责任单位和条款原文；点“查看全文”在侧栏打开整份文档并定位到该条款。
回答下方的按钮可以复制（纯文字，含来源）、重新回答、点赞或点踩（点踩后可以写一句意见，帮助维护人员补充文档）。
对话保存在本浏览器中，刷新后仍在；“历史对话”里可以重新打开、删除或导出为 Markdown。

### 如何引用

请引用原文件而不是本工具，写明 **文档标题、部分、任务序号**，例如：

> 《2026年南通市通州区东西部协作工作要点（征求意见稿）》“三、消费帮扶增收行动”第6项“落实政府帮扶机制”。

引用要点时请注明“征求意见稿”；正式印发稿的内容和编号可能不同，以正式文件为准。

### 接口

回答也可以通过 API 获取（与命令行 `python -m app ask --json` 的 JSON 相同）：

```python
from gradio_client import Client
Client("{url}").predict("区总工会负责哪些任务", api_name="/answer")
```

某个问题的链接：在地址后加 `?q=问题`，例如 `{url}?q=区总工会负责哪些任务`，打开即提问。
"""


log = logging.getLogger(__name__)


class AboutPanel:
    """A static explanation plus live corpus facts (refreshed on load and after document changes)."""

    def __init__(self, service: Service):
        self.service = service
        self.components: dict[str, gr.components.Component] = {}

    def corpus_markdown(self) -> str:
        book = self.service.index.records
        docs = self.service.documents()
        lines = ["### 语料里有什么", ""]
        if book:
            shelf = self.service.index.plans
            info = shelf.info(book.doc)
            draft = info is not None and info.rank < max(r for _, r, _ in shelf.vocab.versions)
            status = (f"这是一份**{info.version}**，不是正式印发的文件，内容仍可能修改。" if draft else
                      f"版本：{info.version}。" if info else "")
            lines.append(
                f"- **《{escape_markdown(book.doc_title)}》**：共 {len(book.sections)} 个部分、{len(book.tasks)} 项任务、"
                f"{len(book.units)} 个责任单位。{status}")
            lines += [f"- 另有要点《{escape_markdown(i.label)}》（{i.tasks} 项任务），问题中写明年份或版本即按它回答。"
                      for i in shelf.ordered() if i.doc != book.doc]
        else:
            lines.append("- 索引中还没有工作要点。")
        related = [d for d in docs if d["doc"] not in self.service.index.plans.infos and d["doc"] != book.doc]
        if related:
            lines.append(f"- 相关文件 {len(related)} 份（政策文件与新闻报道，用于背景问题）：")
            lines += [f"  - {escape_markdown(d['title'])}" for d in related]
        total = sum(d["chunks"] for d in docs)
        lines.append(f"- 索引共 {len(docs)} 份文档、{total} 个片段。文档由管理员在“文档”页维护。")
        return "\n".join(lines)

    def refresh(self) -> str:
        return self.corpus_markdown()

    @staticmethod
    def served_url(request: gr.Request | None, fallback: str) -> str:
        """The address the browser used to reach the page (a proxy's forwarded host and scheme when present)."""
        headers = getattr(request, "headers", None) or {}
        host = headers.get("x-forwarded-host") or headers.get("host")
        if not host:
            return fallback
        scheme = headers.get("x-forwarded-proto") or getattr(getattr(request, "url", None), "scheme", None) or "http"
        prefix = (headers.get("x-forwarded-prefix") or "").rstrip("/")
        return f"{scheme}://{host}{prefix}/"

    def method_markdown(self, url: str) -> str:
        return METHOD.replace("{url}", url)

    def on_load(self, request: gr.Request):
        """Outputs: corpus facts, method text with the real address."""
        s = self.service.settings
        url = self.served_url(request, f"http://{s.host}:{s.port}/")
        log.debug("about tab for %s at %s", client_address(request), url)
        return self.corpus_markdown(), self.method_markdown(url)

    def build(self) -> None:
        with gr.Column(elem_classes="xz-about"):
            corpus = gr.Markdown(self.corpus_markdown(), elem_id="xz-about-corpus")
            s = self.service.settings
            method = gr.Markdown(self.method_markdown(f"http://{s.host}:{s.port}/"), elem_id="xz-about-method")
        self.components = {"corpus": corpus, "method": method}

    def register_events(self, demo: gr.Blocks) -> None:
        demo.load(self.on_load, outputs=[self.components["corpus"], self.components["method"]],
                  api_visibility="private")
