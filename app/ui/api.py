"""The named API endpoint /answer: the same JSON as `python -m app ask --json`."""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..service import Service

log = logging.getLogger(__name__)


def make_api_answer(service: Service) -> Callable[[str], dict]:
    """A fully typed function for `gr.api(..., api_name="answer")`."""

    def api_answer(question: str) -> dict:
        """Answer one question about the plan; returns the answer JSON (answer, found, mode, citations, ms)."""
        result = service.ask(question if isinstance(question, str) else "").to_dict()
        log.info("api answer %r mode=%s", (question or "")[:60], result["mode"])
        return result

    return api_answer
