"""A player's progress as data (for ``quiz-app stats --json``) and as a plain-text table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from quiz_app.progress.store import ProgressStore


def stats_data(store: ProgressStore, player: str) -> dict[str, Any]:
    """Per-bank totals, each with its per-question success rates, and the misconceptions the
    player's answers were offered (not cleared first, then the most picked); JSON-ready."""
    rates = store.question_rates(player)
    banks = []
    for totals in store.bank_totals(player):
        questions = [
            {
                "question_id": rate.question_id,
                "answered": rate.answered,
                "correct": rate.correct,
                "rate": rate.rate,
            }
            for rate in rates
            if rate.bank_id == totals.bank_id
        ]
        banks.append(
            {
                "bank_id": totals.bank_id,
                "answered": totals.answered,
                "correct": totals.correct,
                "last_played": totals.last_played.isoformat(),
                "questions": questions,
            }
        )
    misconceptions = [
        {"id": m.id, "text": m.text, "picked": m.picked, "offered": m.offered, "cleared": m.cleared}
        for m in store.misconceptions(player)
    ]
    return {"player": player, "banks": banks, "misconceptions": misconceptions}


def format_stats(store: ProgressStore, player: str) -> str:
    """A plain-text report for a terminal: bank totals, then each bank's questions."""
    data = stats_data(store, player)
    if not data["banks"]:
        lines = [f"No answers recorded for {player} yet: play a bank, and your progress shows here."]
        others = [name for name in store.players() if name != player]
        if others:
            lines.append("Players with progress: " + ", ".join(others))
        return "\n".join(lines) + "\n"

    lines = [f"Progress for {player}", ""]
    lines += _table(
        ("Bank", "Answered", "Correct", "Last played (UTC)"),
        [(b["bank_id"], str(b["answered"]), str(b["correct"]), _when(b["last_played"])) for b in data["banks"]],
    )
    for bank in data["banks"]:
        lines += ["", f"{bank['bank_id']}: success rate per question"]
        graded = sum(q["answered"] for q in bank["questions"])
        if bank["questions"]:
            rows = [
                (q["question_id"], str(q["answered"]), str(q["correct"]), f"{q['rate']:.0%}") for q in bank["questions"]
            ]
            lines += _table(("Question", "Answered", "Correct", "Rate"), rows, indent="  ")
        else:
            lines.append("  (no graded answers yet)")
        if bank["answered"] > graded:
            lines.append(f"  {bank['answered'] - graded} answer(s) not graded are left out")
    lines += _misconception_lines(data["misconceptions"])
    return "\n".join(lines) + "\n"


def _misconception_lines(misconceptions: list[dict[str, Any]]) -> list[str]:
    """One line per misconception the player picked at least once (one never picked was never
    believed, as far as the answers tell): the ones still believed first."""
    lines = []
    for m in misconceptions:
        if not m["picked"]:
            continue
        times = f"picked {m['picked']} of {m['offered']} time{'s' if m['offered'] != 1 else ''}"
        label = "Cleared" if m["cleared"] else "You may still believe"
        lines.append(f"  {label}: {m['text']} ({times})")
    return ["", "Misconceptions", *lines] if lines else []


def _when(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "") -> list[str]:
    """Columns padded to fit; the first column left-aligned, the others right-aligned."""
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)]
        return indent + "  ".join([first, *rest]).rstrip()

    return [line(header), *(line(row) for row in rows)]
