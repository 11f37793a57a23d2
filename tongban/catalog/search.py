"""Item search that works the same on SQLite and PostgreSQL: each version is indexed as tokens —
Chinese words (jieba), their full pinyin and initials (pypinyin), codes — and a query is cut into
terms that must each begin some token. "营业执照", "yingye" and "yyzz" all find 营业执照 items, and a
colloquial keyword ("开饭店") finds the formal name (食品经营许可)."""

import logging
from functools import cache, lru_cache

import jieba
from pypinyin import Style, lazy_pinyin

jieba.setLogLevel(logging.WARNING)


def _pinyin(text: str) -> tuple[str, str]:
    """Full pinyin and initials of the Chinese in `text`: ("shipinjingyingxuke", "spjyxk")."""
    han = "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff")
    return "".join(lazy_pinyin(han)), "".join(lazy_pinyin(han, style=Style.FIRST_LETTER))


TOKEN_LENGTH = 100


def index_tokens(*, name: str, keywords: str = "", codes: tuple[str, ...] = ()) -> list[str]:
    """The tokens of one version, lower case, each once: every phrase and word, with pinyin and
    initials of each, and the codes."""
    tokens = [*_phrase_tokens(name, keywords), *codes]
    return list(dict.fromkeys(t.strip().lower()[:TOKEN_LENGTH] for t in tokens if t.strip()))


@lru_cache(maxsize=4096)
def _phrase_tokens(name: str, keywords: str) -> tuple[str, ...]:
    # Cached: generated variants of one item (county implementations) share name and keywords.
    words: list[str] = []
    for phrase in [name, *keywords.split()]:
        words.append(phrase)
        words.extend(jieba.cut_for_search(phrase))
    return (*words, *(spelling for word in words for spelling in _pinyin(word)))


@cache
def _segments(chunk: str) -> tuple[str, ...]:
    words = [w for w in jieba.cut(chunk) if w.strip()]
    longer = [w for w in words if len(w) > 1]
    return tuple(longer or words)  # a lone character narrows nothing when longer words are there


def query_terms(query: str) -> list[str]:
    """The terms every result must contain: ASCII chunks as typed (pinyin, initials, codes),
    Chinese chunks cut into words."""
    terms: list[str] = []
    for chunk in query.lower().split():
        terms.extend([chunk] if chunk.isascii() else _segments(chunk))
    return terms


def query_pinyin(query: str) -> str:
    """The full pinyin of a Chinese query, for "did you mean" when a homophone was typed."""
    return _pinyin(query)[0]


def phrase_sounding_like(pinyin: str, phrases: list[str]) -> str:
    """The phrase, or word within one, whose full pinyin is `pinyin`; empty if none."""
    for phrase in phrases:
        for word in [phrase, *jieba.cut_for_search(phrase)]:
            if _pinyin(word)[0] == pinyin:
                return word
    return ""


def search_warm_up() -> None:
    """Load jieba's dictionary now (about a second), not on the first visitor's search."""
    jieba.initialize()
