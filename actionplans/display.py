"""The RAG tag in long lists, drawn once per process rather than once per cell: the part of
a list's cells that is actionplans' own (the dates, paths and texts are foundation.display's).
Each gives exactly what ``{% rag_tag %}`` gives (tests/test_display.py holds them to it)."""

from __future__ import annotations

from functools import lru_cache

from django.utils.safestring import SafeString

from actionplans.choices import RAG
from actionplans.templatetags.govuk import rag_tag
from foundation.display import DATE_FORMAT, DateLabels


@lru_cache(maxsize=1)
def _rag_tags() -> dict[str, SafeString]:
    # RAG labels are fixed text (not translated), so each tag is drawn once per process.
    return {rag.value: rag_tag(rag.value) for rag in RAG}


def rag_html(value: str | None) -> SafeString:
    """``{% rag_tag value %}``, drawn once per process for each RAG."""
    tags = _rag_tags()
    return tags.get(value) or tags[RAG.NOT_RATED.value]


class Labels(DateLabels):
    """One request's formatting of a long list of actions: its dates (:class:`DateLabels`)
    and ``{% rag_tag value %}``, each RAG tag drawn once."""

    def __init__(self, date_format: str = DATE_FORMAT):
        super().__init__(date_format)
        self._tags = _rag_tags()
        self._not_rated = self._tags[RAG.NOT_RATED.value]

    def rag(self, value: str | None) -> SafeString:
        return self._tags.get(value, self._not_rated)
