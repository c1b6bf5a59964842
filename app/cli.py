"""Command line: `python -m app` serves the chat page; `python -m app ask` answers from the terminal."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from ingest.settings import Settings

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
        with open(args.batch, encoding="utf-8-sig") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    q = json.loads(line).get("q", "")
                except (json.JSONDecodeError, AttributeError):
                    print(json.dumps({"line": n, "error": "not a JSON object with key q"}, ensure_ascii=False))
                    continue
                print(json.dumps(service.ask(q).to_dict(), ensure_ascii=False), flush=True)
        return 0
    ans = service.ask(args.question)
    print(json.dumps(ans.to_dict(), ensure_ascii=False, indent=1) if args.json else format_answer(ans))
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
        logging.getLogger().setLevel(logging.INFO)
        return cmd_serve(args, settings)
    except (ModelUnavailable, StoreUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
