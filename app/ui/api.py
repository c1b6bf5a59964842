"""The named API endpoint /answer: the same JSON as `python -m app ask --json`."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable

from ..service import Service

log = logging.getLogger(__name__)


def escape_markup(value: object) -> object:
    """Every string in the answer JSON with &, < and > escaped: documents and questions may carry HTML, and an
    API client that renders the answer must not run it."""
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, list):
        return [escape_markup(v) for v in value]
    if isinstance(value, dict):
        return {k: escape_markup(v) for k, v in value.items()}
    return value


def make_api_answer(service: Service) -> Callable[[str], dict]:
    """A fully typed function for `gr.api(..., api_name="answer")`."""

    def api_answer(question: str) -> dict:
        """Answer one question about the plan; returns the answer JSON (answer, found, mode, citations, ms) with
        HTML special characters escaped."""
        ans = service.ask(question)  # any payload: non-text gets a refusal, never an internal error
        log.info("api answer %r mode=%s", ans.question[:60], ans.mode)
        return escape_markup(ans.to_dict())

    return api_answer
