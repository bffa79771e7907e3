"""Russian typed in Latin letters, turned back into Cyrillic when it reads as Russian.

Customers type "ghbdtn" (the keys of "привет" with the English layout on) or
"kak vernut dengi" (Russian spelled in Latin letters). Neither matches a word
the NLU or the FAQ search knows, so both used to end in "I did not understand".
`to_russian` tries both readings and keeps one only when most of its words are
real Russian words: a dictionary check, passed in as `is_word`, because the
Rasa process has pymorphy2 (`bot.nlu.normalizer`) and the app process has only
`known_word`, a list of the word forms of this bot's own training data and FAQ
articles (`russian_wordlist.txt`, rebuilt with `python -m bot.text.keyboard`).

What customers meant in Latin letters stays as it is: text with any Cyrillic
letter, English ("hello", "thanks for help"), e-mails, URLs, anything with a
digit (card, order and phone numbers), and product or tech words ("iphone",
"sms", "wifi") inside an otherwise converted message.

Standard library only: this module runs in both virtual environments.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

IsWord = Callable[[str], bool]
Kind = Literal["layout", "translit"]

WORDLIST = Path(__file__).with_name("russian_wordlist.txt")

# The ЙЦУКЕН letter under each key of the QWERTY layout, shifted keys too: the
# punctuation keys right of the letters carry х ъ ж э б ю ё.
_LAYOUT_LATIN = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>~"
_LAYOUT_CYRILLIC = "йцукенгшщзхъфывапролджэячсмитьбюёЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮЁ"
_LAYOUT = dict(zip(_LAYOUT_LATIN, _LAYOUT_CYRILLIC, strict=True))
# Where the Russian layout keeps its punctuation: "/" is its full stop and
# Shift+7 its question mark.
_LAYOUT.update({"/": ".", "&": "?"})
# Key characters that may also be plain punctuation at a word's edge.
_EDGE_PUNCTUATION = ",.;:'\"`~<>[]{}"

# Latin spellings of Russian sounds, longest first; the first alternative is
# the usual one, the others are tried when it gives no known word.
_TRANSLIT: dict[str, tuple[str, ...]] = {
    "shch": ("щ",),
    "sch": ("щ", "сч"),
    "zh": ("ж",),
    "kh": ("х",),
    "ch": ("ч",),
    "sh": ("ш",),
    "ts": ("ц", "тс"),
    "tz": ("ц", "тз"),
    "yo": ("ё", "йо"),
    "jo": ("ё",),
    "yu": ("ю",),
    "ju": ("ю",),
    "iu": ("ю", "ию", "иу"),
    "ya": ("я", "ыя"),
    "ja": ("я",),
    "ia": ("ия", "я", "иа"),
    "ye": ("е", "ые"),
    "je": ("е",),
    "yi": ("ый", "ий"),
    "iy": ("ий", "ый"),
    "yy": ("ый",),
    "ij": ("ий",),
    "a": ("а",),
    "b": ("б",),
    "c": ("ц", "к", "с"),
    "d": ("д",),
    "e": ("е", "э"),
    "f": ("ф",),
    "g": ("г",),
    "h": ("х",),
    "i": ("и", "й", "ы"),
    "j": ("й", "ж"),
    "k": ("к",),
    "l": ("л",),
    "m": ("м",),
    "n": ("н",),
    "o": ("о",),
    "p": ("п",),
    "q": ("к",),
    "r": ("р",),
    "s": ("с",),
    "t": ("т",),
    "u": ("у",),
    "v": ("в",),
    "w": ("в", "ш"),
    "x": ("кс", "х"),
    "y": ("ы", "й", "и"),
    "z": ("з",),
    "'": ("ь",),
}
_TRANSLIT_KEYS = sorted(_TRANSLIT, key=len, reverse=True)
_BEFORE_CONSONANT = {"iy", "yy", "yi", "ij"}
_VOWELS = set("aeiouy")
# A soft sign is usually left out in Latin ("dengi", "vernut"): it is tried
# after these letters when the spelling as written gives no known word.
_SOFTENED = set("бвдзлмнпрстфцчшщ")
_IOTATED = set("еёюя")
_MAX_CANDIDATES = 300
# Longer "words" are not guessed at: only the usual spelling is looked up.
_MAX_GUESSED_LENGTH = 24

# English that customers write on purpose: if any of these is in the text, it
# is English, not Russian in the wrong letters.
ENGLISH_WORDS = frozenset(
    """
    the is are am was were be been you your we they he she his her our their it its this
    that these those there here what how why where when who which will would can could
    should does did don't doesn't i'm it's can't have has had and or of in at for with from
    about not yes hello hi hey thanks thank please help want need get got just like good bad
    great sorry dear sir madam mr mrs any some all stop start test way
    """.split()  # noqa: SIM905
)
# Latin words that are the same in a Russian sentence: kept as written and
# not counted either way.
LATIN_TERMS = frozenset(
    """
    ok okay sms smska push wifi wi-fi iphone ipad ios android app apple google samsung
    xiaomi huawei honor windows mac macbook email e-mail gmail online id pin cvv cvc qr nfc
    pdf visa mastercard mir pay apple-pay google-pay samsung-pay sbp telegram whatsapp viber
    vk usb bluetooth vpn esim sim faq bot chat web site login pro max plus mini air note
    ultra lite
    """.split()  # noqa: SIM905
)
_SHORT_ENGLISH = frozenset(
    """
    no so to on do go me be we he up us in it is at as an am or of by my if oh
    """.split()  # noqa: SIM905
)

_CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")
_URL = re.compile(r"^(?:[a-z]+://|www\.)|\.(?:ru|com|net|org|su|рф|io|me|info|biz|app|dev)\b", re.IGNORECASE)
_TRANSLIT_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]*)*")


@dataclass(frozen=True)
class Conversion:
    """Converted text, how it was read, and the share of its words that are Russian."""

    text: str
    kind: Kind
    known_share: float


@dataclass
class _Reading:
    """One reading of the text: how many words were converted, how many are known."""

    text: str = ""
    words: int = 0
    known: int = 0
    on_topic: int = 0
    kept: int = 0

    def count(self, converted: str, found: bool) -> None:
        self.words += 1
        if found:
            self.known += 1
            if len(converted) >= 3 and _known(converted, known_word):
                self.on_topic += 1


def to_russian(text: str, is_word: IsWord | None = None) -> Conversion | None:
    """The text in Cyrillic if it is Russian typed in Latin letters, else None.

    Both readings are tried (keyboard layout, transliteration). One is kept
    when at least 60% of its converted words are known to `is_word` (by
    default the bundled word list) and one of them, three letters or longer,
    is a word of this bot's topics (`known_word`): pymorphy2 also knows
    "баск", "суре" and "макс", which English and brand names turn into. A
    message of one word must be a topic word itself; next to words kept as
    written ("iphone", "13") two converted words must be known.
    """
    check = is_word or known_word
    if not _may_be_russian_in_latin(text):
        return None
    layout = _accepted("layout", _read_layout(text, check))
    if layout is not None and layout.known_share == 1.0:
        return layout  # every word typed back; the costlier spelling guesses can only tie
    translit = _accepted("translit", _read_translit(text, check))
    if layout is None or translit is None:
        return layout or translit
    return translit if translit.known_share > layout.known_share else layout


def _accepted(kind: Kind, reading: _Reading | None) -> Conversion | None:
    """The reading as a conversion if it reads as Russian (see `to_russian`)."""
    if reading is None or not reading.words:
        return None
    share = reading.known / reading.words
    if reading.words == 1 and not reading.kept:
        word = _letters(reading.text)
        on_topic = len(word) >= 2 and _known(word, known_word)
    else:
        on_topic = reading.on_topic > 0 and (not reading.kept or reading.known >= 2)
    return Conversion(text=reading.text, kind=kind, known_share=share) if share >= 0.6 and on_topic else None


def _may_be_russian_in_latin(text: str) -> bool:
    if _CYRILLIC.search(text) or text.lstrip().startswith("/"):
        return False  # Cyrillic is typed right; "/greet" is a button's intent payload
    letters = [ch for ch in text if ch.isalpha()]
    if not letters or sum(ch.isascii() for ch in letters) < 0.9 * len(letters):
        return False
    words = [_bare(token).lower() for token in text.split()]
    if len(words) == 1 and words[0] in _SHORT_ENGLISH:
        return False
    return not any(word in ENGLISH_WORDS for word in words)


def _letters(text: str) -> str:
    return re.sub(r"[^а-яёА-ЯЁ-]", "", text).strip("-").lower()


def _known(word: str, is_word: IsWord) -> bool:
    """A word, or a hyphenated one ("как-то", "по-простому") whose parts are words."""
    if not word:
        return False
    if is_word(word):
        return True
    parts = [part for part in word.split("-") if part]
    return len(parts) > 1 and all(is_word(part) for part in parts)


def _bare(token: str) -> str:
    return token.strip(",.!?;:()\"'«»")


def _kept_as_written(token: str, convert_terms: bool = False) -> bool:
    """Digits, addresses and tech words the customer meant in Latin letters."""
    if any(ch.isdigit() for ch in token) or "@" in token or token.startswith("/") or _URL.search(token):
        return True
    return not convert_terms and _bare(token).lower() in LATIN_TERMS


def _layout_spells_a_word(token: str, is_word: IsWord) -> bool:
    """ "cvc" typed with the English layout is "смс": then it is not the card code."""
    return _known(_letters(_layout_token(token, is_word)[0]), is_word)


def _read_layout(text: str, is_word: IsWord) -> _Reading:
    reading = _Reading()
    out: list[str] = []
    for token in re.split(r"(\s+)", text):
        if _skipped(token, reading, _layout_spells_a_word(token, is_word)):
            out.append(token)
            continue
        converted, core = _layout_token(token, is_word)
        reading.count(core.lower(), _known(core.lower(), is_word))
        out.append(converted)
    reading.text = "".join(out)
    return reading


def _skipped(token: str, reading: _Reading, convert_terms: bool = False) -> bool:
    """Whitespace, punctuation alone, and tokens kept as written (counted in `reading.kept`)."""
    if not re.search(r"[A-Za-z]", token):
        return True
    if _kept_as_written(token, convert_terms):
        reading.kept += 1
        return True
    return False


def _layout_token(token: str, is_word: IsWord) -> tuple[str, str]:
    """The token under the Russian layout, and its letters (for the dictionary check).

    A key character at the edge (",", ".", ";") is a letter when that makes a
    known word ("ltymub," is "деньги," or "деньгиб"?) and punctuation otherwise.
    """
    full = "".join(_LAYOUT.get(ch, ch) for ch in token)
    full_core = re.sub(r"[^а-яёА-ЯЁ-]", "", full).strip("-")
    if _known(full_core.lower(), is_word):
        return full, full_core
    match = re.fullmatch(
        rf"([{re.escape(_EDGE_PUNCTUATION)}]*)(.*?)([{re.escape(_EDGE_PUNCTUATION)}]*)", token
    )
    assert match is not None
    head, middle, tail = match.groups()
    if middle and (head or tail):
        inner = "".join(_LAYOUT.get(ch, ch) for ch in middle)
        inner_core = re.sub(r"[^а-яёА-ЯЁ-]", "", inner).strip("-")
        if _known(inner_core.lower(), is_word):
            return head + inner + tail, inner_core
    return full, full_core


def _read_translit(text: str, is_word: IsWord) -> _Reading | None:
    reading = _Reading()
    out: list[str] = []
    for token in re.split(r"(\s+)", text):
        if _skipped(token, reading):
            out.append(token)
            continue
        if re.search(r"[\[\]{};`~<>]", token):
            return None  # layout keys, not a spelling
        pieces: list[str] = []
        for part in re.split(f"({_TRANSLIT_WORD.pattern})", token):
            if _TRANSLIT_WORD.fullmatch(part):
                cyrillic, found = transliterate_word(part, is_word)
                reading.count(cyrillic.lower(), found)
                part = cyrillic
            pieces.append(part)
        out.append("".join(pieces))
    reading.text = "".join(out)
    return reading


def transliterate_word(word: str, is_word: IsWord) -> tuple[str, bool]:
    """The Cyrillic spelling of one Latin word: the first known candidate, else the usual one.

    Candidates go from the usual spelling to ones with more unusual choices
    ("y" as й, a soft sign added), so a known word is found with the fewest
    guesses; the returned flag says whether one was found.
    """
    key = word.lower().rstrip("'")
    if word.endswith("'"):
        key += "'"
    candidates = _candidates(key)
    first = next(candidates)
    tries = _MAX_CANDIDATES if len(key) <= _MAX_GUESSED_LENGTH else 0
    for candidate in itertools.chain([first], itertools.islice(candidates, tries)):
        if is_word(candidate):
            return _same_case(word, candidate), True
    return _same_case(word, first), False


def _candidates(word: str) -> Iterator[str]:
    segments = _segments(word)
    seen: set[str] = set()
    for spelling in _by_fewest_choices(segments):
        for candidate in _with_soft_signs(spelling):
            if candidate not in seen:
                seen.add(candidate)
                yield candidate


def _segments(word: str) -> list[tuple[str, ...]]:
    segments: list[tuple[str, ...]] = []
    at = 0
    while at < len(word):
        for key in _TRANSLIT_KEYS:
            if key in _BEFORE_CONSONANT and word[at + 2 : at + 3] in _VOWELS:
                continue  # "rossiya", "vyyasnit": и + я, not ий + а
            if word.startswith(key, at):
                segments.append(_TRANSLIT[key])
                at += len(key)
                break
        else:
            segments.append((word[at],))
            at += 1
    return segments


def _by_fewest_choices(segments: list[tuple[str, ...]]) -> Iterator[str]:
    """Spellings with 0, 1, then 2 non-usual choices (more are never needed)."""
    usual = [options[0] for options in segments]
    yield "".join(usual)
    choices = [(i, option) for i, options in enumerate(segments) for option in options[1:]]
    for one in choices:
        yield "".join(one[1] if i == one[0] else s for i, s in enumerate(usual))
    for (i1, o1), (i2, o2) in itertools.combinations(choices, 2):
        if i1 != i2:
            yield "".join(o1 if i == i1 else o2 if i == i2 else s for i, s in enumerate(usual))


def _with_soft_signs(spelling: str) -> Iterator[str]:
    """The spelling, then with one soft sign added, two ("uvolnyat"), or a hard sign."""
    yield spelling
    places = [
        at
        for at in range(1, len(spelling) + 1)
        if spelling[at - 1] in _SOFTENED and (at == len(spelling) or spelling[at] not in "ьъ")
    ]
    for count in (1, 2):
        for chosen in itertools.combinations(places, count):
            yield "".join(ch + ("ь" if at + 1 in chosen else "") for at, ch in enumerate(spelling))
    for at in places:
        if spelling[at : at + 1] in _IOTATED:
            yield spelling[:at] + "ъ" + spelling[at:]  # "obyasnit": объяснить


def _same_case(original: str, converted: str) -> str:
    letters = [ch for ch in original if ch.isalpha()]
    if len(letters) > 1 and all(ch.isupper() for ch in letters):
        return converted.upper()
    if letters and letters[0].isupper():
        return converted[:1].upper() + converted[1:]
    return converted


@lru_cache(maxsize=1)
def _wordlist() -> frozenset[str]:
    return frozenset(WORDLIST.read_text(encoding="utf-8").split())


def known_word(word: str) -> bool:
    """True for the Russian word forms of this bot's training data and FAQ articles.

    The fallback dictionary for processes without pymorphy2: it knows the words
    customers use about this bot's topics, not the whole language.
    """
    return word.lower().replace("ё", "е") in _wordlist()


def build_wordlist(sources: list[Path], is_word: IsWord, limit: int = 5000) -> list[str]:
    """The `limit` most frequent Cyrillic word forms of the sources that `is_word` accepts.

    Typos in the training data ("пороль") are left out by the dictionary check.
    """
    counts: dict[str, int] = {}
    for path in sources:
        for word in re.findall(r"[а-яё]+(?:-[а-яё]+)*", path.read_text(encoding="utf-8").lower()):
            word = word.replace("ё", "е")
            counts[word] = counts.get(word, 0) + 1
    ranked = sorted((w for w in counts if is_word(w)), key=lambda w: (-counts[w], w))
    return sorted(ranked[:limit])


def _main() -> None:
    """Rebuilds russian_wordlist.txt from data/nlu and data/faq (run in .venv/rasa)."""
    import pymorphy2  # only in .venv/rasa; the list itself is plain text

    analyzer = pymorphy2.MorphAnalyzer()
    root = Path(__file__).resolve().parents[2]
    sources = sorted((root / "data" / "nlu").glob("*.yml")) + sorted((root / "data" / "faq").glob("*.md"))
    words = build_wordlist(sources, analyzer.word_is_known)
    WORDLIST.write_text("\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} words -> {WORDLIST}")


if __name__ == "__main__":
    _main()
