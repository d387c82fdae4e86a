"""Text for the search index and for the query: plain text out of stored HTML, folding (lower case, ё→е), Russian
stems (Snowball, the same algorithm as PostgreSQL's `russian` configuration), stop words, the user's query parsed
into words, "phrases" and -minus words, and highlighting of matched words in the original text.

Both engines index what `index_text()` returns, so they see the same words: on PostgreSQL it goes to
`to_tsvector('russian', …)`, on SQLite its stems go to FTS5.
"""

import functools
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from markupsafe import Markup, escape

MAX_QUERY = 300  # characters of the query that are read; the rest is ignored (the page says so)
MAX_WORDS = 12  # words (phrase words included) a query may hold

# PostgreSQL's russian.stop (the Snowball list): the same words are left out on both engines.
STOP_WORDS = frozenset(
    """и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было вот от меня
    еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас нибудь опять уж вам ведь там
    потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже
    себе под будет ж тогда кто этот того потому этого какой совсем ним здесь этом один почти мой тем чтобы нее
    сейчас были куда зачем всех никогда можно при наконец два об другой хоть после над больше тот через эти нас про
    всего них какая много разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им
    более всегда конечно всю между""".split()  # noqa: SIM905
)

# Grades are written both ways («5 класс», «пятый класс»): the index adds the other spelling for each.
_ORDINALS = ["первый", "второй", "третий", "четвертый", "пятый", "шестой", "седьмой", "восьмой", "девятый",
             "десятый", "одиннадцатый"]  # fmt: skip

_WORD = re.compile(r"[^\W_]+")


@functools.cache
def _stemmer():
    """Snowball's Russian stemmer, loaded by the first search or write that needs it (0.7 MB a worker that only
    serves pages does without)."""
    import Stemmer

    return Stemmer.Stemmer("russian")


def fold(text: str) -> str:
    return (text or "").lower().replace("ё", "е")


@functools.lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The stem of one folded word; Latin words and numbers stay as they are."""
    return _stemmer().stemWord(word)


@functools.cache
def _ordinal_stems() -> dict[str, str]:
    return {stem(word): str(n) for n, word in enumerate(_ORDINALS, 1)}


_DIGIT_ORDINALS = {str(n): word for n, word in enumerate(_ORDINALS, 1)}


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def index_text(text: str) -> str:
    """What the index reads for a title or a body: the folded text, then the other spelling of each grade."""
    folded = fold(text)
    extra = []
    for word in _WORD.findall(folded):
        if word in _DIGIT_ORDINALS:
            extra.append(_DIGIT_ORDINALS[word])
        elif (digit := _ordinal_stems().get(stem(word))) is not None:
            extra.append(digit)
    return folded + ("\n" + " ".join(dict.fromkeys(extra)) if extra else "")


def index_stems(text: str) -> str:
    """The stems FTS5 stores for a title or a body (stop words left out, as PostgreSQL does)."""
    return " ".join(stem(word) for word in words(index_text(text)) if word not in STOP_WORDS)


class _TextExtractor(HTMLParser):
    _BLOCKS = frozenset({"p", "br", "li", "tr", "td", "th", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def plain_text(html: str) -> str:
    """The words a reader sees in stored (sanitised) HTML: Markdown marks and tags gone, entities decoded."""
    extractor = _TextExtractor()
    extractor.feed(html or "")
    extractor.close()
    return re.sub(r"[ \t]*\n\s*", "\n", "".join(extractor.parts)).strip()


# --- the user's query ----------------------------------------------------------------------------------------------


@dataclass
class ParsedQuery:
    """A query as words to find, phrases (lists of words, in order) and words to exclude; all folded."""

    terms: list[str] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    only_stop_words: bool = False  # the user typed words, but every one of them is a stop word
    truncated: bool = False  # the query was longer than MAX_QUERY characters or MAX_WORDS words

    @property
    def is_empty(self) -> bool:
        """Nothing to look for: no word and no phrase (minus words alone find nothing)."""
        return not self.terms and not self.phrases

    def stems(self) -> set[str]:
        """The stems a result is highlighted by: every positive word."""
        return {stem(word) for word in self.terms + [w for phrase in self.phrases for w in phrase]}

    def websearch(self) -> str:
        """The query for PostgreSQL's websearch_to_tsquery: every part quoted, so no word becomes an operator."""
        parts = [f'"{word}"' for word in self.terms]
        parts += ['"' + " ".join(phrase) + '"' for phrase in self.phrases]
        parts += [f'-"{word}"' for word in self.excluded]
        return " ".join(parts)

    def fts5(self, column: str | None = None) -> str:
        """The FTS5 MATCH expression: stems only ([^\\W_]+), each quoted, so user text is never FTS5 syntax.
        With `column`, the words must be in that column (the minus words still in none)."""
        positive = [f'"{stem(word)}"' for word in self.terms]
        positive += ['"' + " ".join(stem(w) for w in phrase) + '"' for phrase in self.phrases]
        expression = " AND ".join(positive)
        if column:
            expression = f"({{{column}}} : ({expression}))"
        for word in self.excluded:
            expression += f' NOT "{stem(word)}"'
        return expression


_QUERY_PART = re.compile(r'(?P<minus>(?:^|(?<=\s))-)?(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))')


def parse_query(raw: str) -> ParsedQuery:
    """Words, "quoted phrases" (an unclosed quote runs to the end) and -minus words; anything else is ignored."""
    raw = raw or ""
    parsed = ParsedQuery(truncated=len(raw) > MAX_QUERY)
    seen_words = 0
    for match in _QUERY_PART.finditer(raw[:MAX_QUERY]):
        found = words(match.group("phrase") if match.group("phrase") is not None else match.group("word") or "")
        useful = [word for word in found if word not in STOP_WORDS]
        seen_words += len(found)
        if not useful:
            continue
        if seen_words > MAX_WORDS:
            parsed.truncated = True
            break
        if match.group("minus"):
            parsed.excluded.extend(w for w in useful if w not in parsed.excluded)
        elif match.group("phrase") is not None and len(useful) > 1:
            parsed.phrases.append(useful)
        else:
            parsed.terms.extend(w for w in useful if w not in parsed.terms)
    parsed.only_stop_words = seen_words > 0 and parsed.is_empty and not parsed.excluded
    return parsed


# --- highlighting --------------------------------------------------------------------------------------------------


def highlight(text: str, stems: set[str]) -> Markup:
    """The whole text escaped, with the words whose stem is in `stems` wrapped in <mark>."""
    return _marked(text, stems, 0, None)


def snippet(text: str, stems: set[str], size: int = 30) -> Markup:
    """About `size` words of the text around the first matched word, escaped, matches in <mark>."""
    spans = list(_WORD.finditer(text))
    first = next((i for i, m in enumerate(spans) if stem(fold(m.group())) in stems), 0)
    start = max(0, first - size // 3)
    end = min(len(spans), start + size)
    begin_at = spans[start].start() if spans and start > 0 else 0
    end_at = spans[end - 1].end() if spans and end < len(spans) else None
    return _marked(text, stems, begin_at, end_at)


def _marked(text: str, stems: set[str], begin: int, end: int | None) -> Markup:
    piece = text[begin:end]
    out, last = [], 0
    for m in _WORD.finditer(piece):
        if stem(fold(m.group())) in stems:
            out.append(str(escape(piece[last : m.start()])))
            out.append(f"<mark>{escape(m.group())}</mark>")
            last = m.end()
    out.append(str(escape(piece[last:])))
    html = " ".join("".join(out).split())
    return Markup(("… " if begin else "") + html + (" …" if end is not None else ""))  # noqa: S704  (escaped above)
