"""Command line: `python -m app` serves the chat page; `ask` answers from the terminal; `feedback` and `curated` export."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from ingest.settings import Settings

from .inputs import argv_text, jsonl_lines
from .models import Answer

log = logging.getLogger(__name__)


def format_answer(ans: Answer) -> str:
    """A readable plain-text rendering: the answer, then numbered sources."""
    lines = [ans.answer]
    if ans.notice:
        lines.insert(0, f"[提示] {ans.notice}")
    if ans.citations:
        lines.append("\n来源：")
        for i, c in enumerate(ans.citations, 1):
            where = "，".join(x for x in (c.section, f"第{c.item}项" if c.item else "") if x)
            lines.append(f"[{i}] 《{c.title}》{('，' + where) if where else ''}{('，' + c.date) if c.date else ''}")
            if c.units:
                lines.append(f"    责任单位：{'、'.join(c.units)}")
            lines.append(f"    {c.text[:300]}{'…' if len(c.text) > 300 else ''}")
    lines.append(f"\n({ans.mode}, {ans.ms:.0f} ms)")
    return "\n".join(lines)


def _service(settings: Settings, progress: bool, wait_for_model: bool = True):
    from .service import Service

    service = Service.create(settings, wait_for_model=wait_for_model)
    report = service.ensure_index(show_bar=progress)
    if report is not None:
        print(f"index built: {report.summary()}", file=sys.stderr)
        for err in report.errors:
            print(f"error: {err}", file=sys.stderr)
    return service


def cmd_ask(args, settings: Settings) -> int:
    if not args.batch and not args.question:
        print("error: give a question or --batch FILE.jsonl", file=sys.stderr)
        return 2
    service = _service(settings, progress=sys.stderr.isatty())
    if args.batch:
        return _batch(service, args.batch)
    ans = service.ask(argv_text(args.question))
    print(json.dumps(ans.to_dict(), ensure_ascii=False, indent=1) if args.json else format_answer(ans))
    return 0


def _batch(service, path: str) -> int:
    """One JSON object per input line, in order; a bad line gets an error object and the rest still runs."""
    for n, line in jsonl_lines(path):
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict) or "q" not in obj:
                raise ValueError("not a JSON object with key q")
            out = service.ask(obj["q"]).to_dict()
        except Exception as exc:  # any failure stays on its own line
            if not isinstance(exc, ValueError):
                log.exception("batch line %d failed", n)
            reason = "not a JSON object with key q" if isinstance(exc, ValueError) else type(exc).__name__
            out = {"line": n, "error": reason}
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return 0


def cmd_feedback(args, settings: Settings) -> int:
    """Summarise the feedback database, or export it as CSV (no model or index needed)."""
    from .feedback import FeedbackStore

    path = settings.feedback_path
    if not path.exists():
        print(f"尚无反馈数据库：{path}（页面收到第一个问题时创建）", file=sys.stderr)
        return 1
    store = FeedbackStore(path)
    counts = store.counts()
    print(f"回答 {counts['answers']} 条，未答 {counts['refusals']} 条，赞 {counts['up']}，踩 {counts['down']}",
          file=sys.stderr)
    if args.export:
        rows = store.export_csv(Path(args.export))
        print(f"已导出 {rows} 行到 {args.export}（差评回答与按相似问法归组的未答问题）", file=sys.stderr)
    return 0


def cmd_curated(args, settings: Settings) -> int:
    """Export or import curated answers as JSON Lines (no model or index needed)."""
    from .curated import CuratedStore
    from .curated_io import export_jsonl, import_jsonl

    store = CuratedStore(settings.feedback_path)
    if args.export:
        n = export_jsonl(store, Path(args.export))
        print(f"已导出 {n} 条补充答复到 {args.export}", file=sys.stderr)
        return 0
    if args.import_file:
        path = Path(args.import_file)
        if not path.is_file():
            print(f"找不到文件：{path}", file=sys.stderr)
            return 2
        report = import_jsonl(store, path)
        for problem in report.problems:
            print(problem, file=sys.stderr)
        print(report.summary_zh(), file=sys.stderr)
        return 1 if report.problems else 0
    rows = store.all()
    print(f"补充答复 {len(rows)} 条，其中待复核 {sum(c.needs_review for c in rows)} 条", file=sys.stderr)
    return 0


def cmd_serve(args, settings: Settings) -> int:
    from .ui import build_demo

    service = _service(settings, progress=True, wait_for_model=False)
    service.warm_up(with_model=False)
    demo = build_demo(service)
    log.info("serving on http://%s:%s", settings.host, settings.port)
    demo.queue(default_concurrency_limit=8).launch(server_name=settings.host, server_port=settings.port,
                                                   show_error=True, prevent_thread_lock=True)
    # the page is up: load the model behind it; questions meanwhile are answered from keywords
    service.load_model(background=True)
    demo.block_thread()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    ask = sub.add_parser("ask", help="answer a question")
    ask.add_argument("question", nargs="?")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.add_argument("--batch", help="JSONL file with one {\"q\": …} per line; prints one JSON object per line")
    feedback = sub.add_parser("feedback", help="summarise or export thumbs-down answers and unanswered questions")
    feedback.add_argument("--export", metavar="FILE.csv", help="write a CSV (UTF-8 with BOM, opens in Excel)")
    curated = sub.add_parser("curated", help="export or import maintainers' curated answers (JSON Lines)")
    curated.add_argument("--export", metavar="FILE.jsonl", help="write every curated answer, one JSON object a line")
    curated.add_argument("--import", dest="import_file", metavar="FILE.jsonl",
                         help="add the answers of a file; bad lines are reported, duplicates skipped")
    serve = sub.add_parser("serve", help="serve the chat page (default)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    overrides = {}
    if getattr(args, "host", None):
        overrides["host"] = args.host
    if getattr(args, "port", None):
        overrides["port"] = args.port
    settings = Settings(**overrides)
    from ingest.factory import ModelUnavailable
    from ingest.store import StoreUnavailable

    try:
        if args.command == "ask":
            return cmd_ask(args, settings)
        if args.command == "feedback":
            return cmd_feedback(args, settings)
        if args.command == "curated":
            return cmd_curated(args, settings)
        logging.getLogger().setLevel(logging.INFO)
        return cmd_serve(args, settings)
    except (ModelUnavailable, StoreUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
