"""Charts drawn on the server as SVG (no script, no chart library, nothing from a CDN): horizontal bars whose
lengths are worked out here, drawn by the `bar_chart` macro; every chart has its table beside it for reading."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from services.gateway.pages import present

WIDTH = 600  # the SVG's user units; it scales to the page's width
LABEL = 220  # room for the labels on the left
ROW = 30


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str  # the value as read (money, a share, a count)
    y: int
    length: float  # in user units, 0 for a zero value


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int
    label_width: int = LABEL
    width: int = WIDTH


def bars(rows: Sequence[tuple[str, float | None]], shown: Callable[[float | None], str]) -> Chart:
    """A bar per (label, value), scaled to the largest; room after each bar for its value. A value of None (no
    figure: a share of nothing) draws no bar and reads as `shown(None)`."""
    top = max((value or 0 for _, value in rows), default=0) or 1
    room = WIDTH - LABEL - 130
    made = [
        Bar(label, value or 0, shown(value), i * ROW, round(room * max(value or 0, 0) / top, 1))
        for i, (label, value) in enumerate(rows)
    ]
    return Chart(made, max(len(made), 1) * ROW)


def share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}\u00a0%".replace(".", ",")


def count(value: float | None) -> str:
    return "—" if value is None else f"{int(value):,}".replace(",", "\u00a0")


def money(value: float | None) -> str:
    return "—" if value is None else present.money(int(value))


@dataclass(frozen=True)
class Tile:
    code: str
    name: str
    count: int
    x: int
    y: int
    shade: int  # 0 (none) to 4 (the most)


@dataclass(frozen=True)
class Cartogram:
    """Administrative units as equal tiles in TERC order (no boundaries: no map data can be fetched here)."""

    tiles: list[Tile]
    width: int
    height: int
    tile_width: int = 116
    tile_height: int = 64


def cartogram(units: Sequence[tuple[str, str]], counts: dict[str, int], columns: int = 6) -> Cartogram:
    """A tile per (code, name), in code order, shaded by its count against the largest."""
    top = max(counts.values(), default=0) or 1
    tile_width, tile_height, gap = 116, 64, 4
    tiles = []
    for i, (code, name) in enumerate(sorted(units)):
        n = counts.get(code, 0)
        shade = 0 if n == 0 else min(4, 1 + (3 * n) // top)
        column, row = i % columns, i // columns
        tiles.append(Tile(code, name, n, column * (tile_width + gap), row * (tile_height + gap), shade))
    rows = (len(tiles) + columns - 1) // columns
    return Cartogram(tiles, columns * (tile_width + gap), max(rows, 1) * (tile_height + gap))
