"""Parse the many ways people write an indicator's direction into one canonical word.

Specs come from spreadsheets, the database and notebooks, so ``+1``, ``"higher"``
and ``1.0`` must all mean the same thing; everything else in ``scoring`` only ever
sees ``"higher"``, ``"lower"`` or ``"band"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Real
from typing import Literal

import numpy as np

Direction = Literal["higher", "lower", "band"]

_SIGNS: dict[float, Direction] = {1.0: "higher", -1.0: "lower"}
_WORDS: dict[str, Direction] = {
    "higher": "higher",
    "+1": "higher",
    "1": "higher",
    "lower": "lower",
    "-1": "lower",
    "band": "band",
}


def indicator_label(name: object) -> str:
    """How an indicator is named in error messages (``name`` may be absent).

    >>> indicator_label("defects"), indicator_label(None)
    ("indicator 'defects'", 'indicator')
    """
    return "indicator" if name is None else f"indicator {name!r}"


def parse_direction(direction: object, name: object = None, *, allow_band: bool = True) -> Direction:
    """Return ``"higher"``, ``"lower"`` or ``"band"`` for any accepted spelling.

    Accepted: ``"higher"``/``"lower"``/``"band"`` (any case), ``+1``/``-1`` as
    numbers or text.

    >>> parse_direction(-1), parse_direction("Higher"), parse_direction(1.0)
    ('lower', 'higher', 'higher')
    """
    word: Direction | None
    if isinstance(direction, Real) and not isinstance(direction, bool):
        word = _SIGNS.get(float(direction))
    elif isinstance(direction, str):
        word = _WORDS.get(direction.strip().lower())
    else:
        word = None
    if word is None or (word == "band" and not allow_band):
        allowed = "'higher', 'lower', +1, -1" + (", 'band'" if allow_band else "")
        raise ValueError(f"{indicator_label(name)}: unknown direction {direction!r}; use one of {allowed}")
    return word


def lower_is_better_mask(directions: Sequence[object], names: Sequence[object]) -> np.ndarray:
    """Boolean array, True where a criterion is lower-is-better (``-1``/``"lower"``).

    >>> lower_is_better_mask([1, "lower", "+1"], ["a", "b", "c"])
    array([False,  True, False])
    """
    if len(directions) != len(names):
        raise ValueError(f"got {len(directions)} directions for {len(names)} criteria")
    return np.array(
        [parse_direction(d, n, allow_band=False) == "lower" for d, n in zip(directions, names, strict=True)], dtype=bool
    )
