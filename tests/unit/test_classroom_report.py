"""`quiz-app report` as data, from a real SQLite database: which answers count, the figures
per question, student and misconception, the JSON shape, and the text."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from quiz_app.bank import Bank, Question, grade, parse_bank
from quiz_app.bank.grading import Verdict
from quiz_app.classroom import Selection, format_report, parse_since, report_data
from quiz_app.classroom.answers import all_answers
from quiz_app.play.run import misconception_marks, response_text
from quiz_app.progress import AnswerRecord, ProgressStore

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=timezone.utc)

BANK_YAML = """\
format: 2
id: class-test
title: "A bank for the classroom tests"
misconceptions:
  eval-stops-autograd: "model.eval() turns autograd off"
  eval-freezes-params: "model.eval() sets requires_grad=False on the parameters"
questions:
  - id: what-eval-changes
    type: single
    prompt: "What does `model.eval()` change?"
    choices:
      - text: "The training flags"
      - text: "Autograd stops"
        misconception: eval-stops-autograd
      - text: "Parameters freeze"
        misconception: eval-freezes-params
    answer: A
    explanation: "Only the flags."
  - id: which-are-true
    type: multiple
    prompt: "Which are true?"
    choices:
      - text: "one"
      - text: "two"
        misconception: eval-stops-autograd
      - text: "three"
      - text: "four"
    answer: [A, C]
    explanation: "A and C."
  - id: backward-after-eval
    type: true_false
    prompt: "After eval(), backward() still fills .grad."
    answer: true
    explanation: "Yes."
  - id: print-training
    type: predict
    prompt: "What does this print?"
    code: "print(model.eval().training)"
    snippet: "print(nn.Linear(1, 1).eval().training)"
    answer: "False"
    explanation: "eval() returns the model."
"""


def load(text: str = BANK_YAML) -> Bank:
    bank, problems = parse_bank(text, "class-test.yaml")
    assert bank is not None, problems
    return bank


BANK = load()
Q = {q.id: q for q in BANK.questions}
BANKS = {BANK.id: BANK}


@pytest.fixture
def store(tmp_path: Path):
    with ProgressStore.open(tmp_path / "progress.sqlite3") as opened:
        yield opened


def reader(store: ProgressStore) -> ProgressStore:
    return ProgressStore.open(store.path, readonly=True)


def play(
    store: ProgressStore,
    player: str,
    question: Question,
    response: object,
    minutes: float = 0,
    *,
    bank: Bank = BANK,
    graded: bool = True,
) -> AnswerRecord:
    """Record an answer as the app would: its text, verdict and misconception marks."""
    verdict = grade(question, response) if graded else Verdict.UNGRADED  # type: ignore[arg-type]
    record = AnswerRecord(
        player=player,
        bank_id=bank.id,
        question_id=question.id,
        question_hash=question.content_hash,
        answer=response_text(question, response),  # type: ignore[arg-type]
        correct=None if verdict is Verdict.UNGRADED else verdict is Verdict.CORRECT,
        seconds=10.0,
        device="cpu",
        answered_at=T0 + timedelta(minutes=minutes),
        misconceptions=misconception_marks(bank, question, response),
    )
    store.record_answer(record)
    return record


def report(store: ProgressStore, installed: dict[str, Bank] | None = None, **selection: object) -> dict:
    with reader(store) as ro:
        return report_data(ro, Selection(**selection), BANKS if installed is None else installed)  # type: ignore[arg-type]


def question(data: dict, qid: str, bank: str = "class-test") -> dict:
    (found,) = [b for b in data["banks"] if b["id"] == bank]
    return next(q for q in found["questions"] if q["id"] == qid)


def test_an_empty_or_missing_database_reports_nothing(tmp_path: Path):
    with ProgressStore.open(tmp_path / "none.sqlite3", readonly=True) as ro:
        assert report_data(ro, Selection(), BANKS) == {"banks": [], "misconceptions": []}
    assert not (tmp_path / "none.sqlite3").exists()


def test_first_last_and_all_attempts(store):
    q = Q["what-eval-changes"]
    play(store, "ann", q, "B", 0)  # wrong first
    play(store, "ann", q, "C", 5)
    play(store, "ann", q, "A", 10)  # right at last
    play(store, "bob", q, "A", 1)
    first, last, every = (question(report(store, attempts=a), q.id) for a in ("first", "last", "all"))
    assert (first["answered"], first["facility"], first["options"]) == (2, 0.5, {"A": 1, "B": 1, "C": 0})
    assert (last["answered"], last["facility"], last["options"]) == (2, 1.0, {"A": 2, "B": 0, "C": 0})
    assert (every["answered"], every["facility"], every["options"]) == (4, 0.5, {"A": 2, "B": 1, "C": 1})
    assert first["top_wrong"] == "B" and last["top_wrong"] is None and every["top_wrong"] in ("B", "C")
    players = {p["player"]: p for p in report(store, attempts="all")["banks"][0]["players"]}
    assert players["ann"] == {
        "player": "ann",
        "answered": 3,
        "correct": 1,
        "seconds": 30.0,
        "misconceptions": ["eval-freezes-params", "eval-stops-autograd"],
    }


def test_the_json_keys_are_exactly_the_documented_ones(store):
    play(store, "ann", Q["what-eval-changes"], "B")
    data = report(store)
    assert set(data) == {"banks", "misconceptions"}
    (bank,) = data["banks"]
    assert set(bank) == {"id", "title", "bank_installed", "questions", "players"}
    assert (bank["id"], bank["title"], bank["bank_installed"]) == ("class-test", BANK.title, True)
    assert set(bank["questions"][0]) == {
        "id",
        "answered",
        "facility",
        "discrimination",
        "options",
        "top_wrong",
        "misconceptions",
        "dubious",
    }
    assert set(bank["players"][0]) == {"player", "answered", "correct", "seconds", "misconceptions"}
    assert set(data["misconceptions"][0]) == {"id", "text", "players", "of"}


def test_option_counts_per_type(store):
    for n, (player, letters) in enumerate([("a", ["A", "C"]), ("b", ["A", "B"]), ("c", ["B"]), ("d", ["B", "D"])]):
        play(store, player, Q["which-are-true"], letters, n)
    play(store, "a", Q["backward-after-eval"], False)
    play(store, "b", Q["backward-after-eval"], True)
    for player, text in [("a", "False"), ("b", "True"), ("c", "True"), ("d", "None")]:
        play(store, player, Q["print-training"], text)
    data = report(store)
    multiple = question(data, "which-are-true")
    assert multiple["options"] == {"A": 2, "B": 3, "C": 1, "D": 1}
    assert multiple["top_wrong"] == "B"
    assert multiple["misconceptions"] == {"eval-stops-autograd": 3}
    assert any("B (3) was chosen more often than the key A, C" in r for r in multiple["dubious"])
    assert question(data, "backward-after-eval")["options"] == {"true": 1, "false": 1}
    predict = question(data, "print-training")
    assert predict["options"] == {"True": 2, "None": 1}  # wrong predictions only
    assert (predict["top_wrong"], predict["facility"]) == ("True", 0.25)


def test_discrimination_sign_and_the_dubious_flag_on_a_constructed_class(store):
    bank = load(
        BANK_YAML.replace("id: class-test", "id: discrimination")
        + "".join(
            f"""  - id: filler-{n}
    type: true_false
    prompt: "Filler {n}"
    answer: true
    explanation: "."
"""
            for n in range(4)
        )
    )
    q = {x.id: x for x in bank.questions}
    strong, weak = ["s1", "s2", "s3", "s4"], ["w1", "w2", "w3", "w4"]
    for player in strong + weak:
        good = player in strong
        for n in range(4):
            play(store, player, q[f"filler-{n}"], good or n == 0, bank=bank)
        play(store, player, q["what-eval-changes"], "A" if good or player == "w1" else "B", bank=bank)  # discriminates
        play(store, player, q["backward-after-eval"], not good or player == "s1", bank=bank)  # the reverse
    data = report(store, {bank.id: bank})
    good_q = question(data, "what-eval-changes", bank.id)
    bad_q = question(data, "backward-after-eval", bank.id)
    assert good_q["discrimination"] > 0.5 and good_q["dubious"] == []
    assert bad_q["discrimination"] < -0.5
    assert bad_q["dubious"][0].startswith("negative discrimination (-")
    assert question(data, "filler-0", bank.id)["discrimination"] is None  # everyone right: no variance
    assert any("above 95%" in r for r in question(data, "filler-0", bank.id)["dubious"])
    text = format_report(data, Selection())
    assert "backward-after-eval (?)" in text and "negative discrimination" in text


def test_misconceptions_are_ranked_by_students_who_showed_them_of_those_offered(store):
    q = Q["what-eval-changes"]
    for n, (player, response) in enumerate([("a", "B"), ("b", "B"), ("c", "C"), ("d", "A"), ("e", "B")]):
        play(store, player, q, response, n)
    play(store, "a", Q["which-are-true"], ["B"])  # a shows it twice: counted once
    play(store, "f", Q["backward-after-eval"], True)  # offered nothing
    data = report(store)
    assert data["misconceptions"] == [
        {"id": "eval-stops-autograd", "text": "model.eval() turns autograd off", "players": 3, "of": 5},
        {
            "id": "eval-freezes-params",
            "text": "model.eval() sets requires_grad=False on the parameters",
            "players": 1,
            "of": 5,
        },
    ]
    assert question(data, q.id)["misconceptions"] == {"eval-stops-autograd": 3, "eval-freezes-params": 1}
    text = format_report(data, Selection())
    assert "3 of 5 students still believe: model.eval() turns autograd off" in text
    assert "1 of 5 students still believe: model.eval() sets requires_grad=False on the parameters" in text


def test_a_bank_not_installed_is_reported_by_its_id_from_what_the_answers_hold(store):
    q = Q["what-eval-changes"]
    for n, (player, response) in enumerate([("a", "A"), ("b", "B"), ("c", "B"), ("d", "A")]):
        play(store, player, q, response, n)
    data = report(store, {})
    (bank,) = data["banks"]
    assert (bank["id"], bank["title"], bank["bank_installed"]) == ("class-test", "class-test", False)
    found = bank["questions"][0]
    assert found["options"] == {"A": 2, "B": 2}  # only the letters the answers hold
    assert found["top_wrong"] == "B"
    assert data["misconceptions"][0]["text"] == "model.eval() turns autograd off"  # the stored mark's text
    assert "not installed here" in format_report(data, Selection())


def test_selection_by_bank_player_and_since(store):
    other = load(BANK_YAML.replace("id: class-test", "id: other"))
    play(store, "ann", Q["what-eval-changes"], "A", 0)
    play(store, "bob", Q["what-eval-changes"], "B", 60 * 24)
    play(store, "ann", other.questions[0], "A", 0, bank=other)
    banks = {BANK.id: BANK, other.id: other}
    assert [b["id"] for b in report(store, banks)["banks"]] == ["class-test", "other"]
    assert [b["id"] for b in report(store, banks, banks=("other",))["banks"]] == ["other"]
    only_bob = report(store, banks, players=("bob",))
    assert [p["player"] for b in only_bob["banks"] for p in b["players"]] == ["bob"]
    since = report(store, banks, since=parse_since("2026-09-02T00:00Z"))
    assert [(b["id"], [p["player"] for p in b["players"]]) for b in since["banks"]] == [("class-test", ["bob"])]


def test_parse_since():
    assert parse_since("2026-09-01T10:00+02:00") == "2026-09-01T08:00:00.000000+00:00"
    assert parse_since("2026-09-01T08:00:00Z") == "2026-09-01T08:00:00.000000+00:00"
    with pytest.raises(ValueError, match="not a date"):
        parse_since("last monday")


def test_ungraded_answers_count_as_answered_but_not_in_facility(store):
    play(store, "ann", Q["print-training"], "False")
    play(store, "bob", Q["print-training"], "maybe", graded=False)
    found = question(report(store), "print-training")
    assert (found["answered"], found["facility"]) == (2, 1.0)


def test_the_classroom_imports_nothing_from_textual_or_torch():
    code = (
        "import sys, quiz_app.classroom, quiz_app.cli.classroom, quiz_app.progress.class_queries\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'torch', 'rich'))\n"
        "print(bad)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_database_of_schema_version_3_is_read_without_uids_or_marks(tmp_path: Path):
    from quiz_app.progress import schema

    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    schema.migrate(conn, schema.MIGRATIONS[:3])
    conn.execute(
        "INSERT INTO answers (player, bank_id, question_id, question_hash, answer, correct, seconds, answered_at)"
        " VALUES ('ann', 'class-test', 'what-eval-changes', 'ab', 'B', 0, 3.5, '2026-09-01T09:00:00.000000+00:00')"
    )
    conn.close()
    with ProgressStore.open(path, readonly=True) as old:
        data = report_data(old, Selection(), BANKS)
        assert question(data, "what-eval-changes")["options"] == {"A": 0, "B": 1, "C": 0}
        assert data["misconceptions"] == []
        rows: list[str] = []
        assert all_answers(old, Selection(attempts="all"), (), lambda a: rows.append(a.uid)) == 1
        assert rows == ["local-1"]
