"""When two nicknames are "the same name" in one class: ``alice``, ``Alice``, ``ａｌｉｃｅ``.

``fold_name`` is the key a class's names must differ by. It applies NFKC (full-width and
other compatibility forms), case-folding, and a small skeleton map of the Cyrillic and Greek
letters that look like Latin ones (Cyrillic ``а`` in ``аlice``): children must not be able
to pose as a classmate on the teacher's dashboard. The name is still shown as typed.
"""

from __future__ import annotations

import unicodedata

# Lower-case look-alikes only: case-folding comes first.
_LOOK_ALIKES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
        "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i",
        "ј": "j", "ԁ": "d", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ү": "y",
        # Greek
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u", "ν": "v",
        "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ζ": "z", "ϲ": "c",
    }
)  # fmt: skip


def fold_name(name: str) -> str:
    """The uniqueness key of a nickname within a class (never shown)."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    folded = unicodedata.normalize("NFKC", folded).translate(_LOOK_ALIKES)
    return " ".join(folded.split())
