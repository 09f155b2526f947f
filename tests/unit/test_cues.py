"""Test-wise cues (issue 23, item 1): each strategy a learner who knows nothing could use, scored
as the app grades, beside chance; and the `holds` read without running anything."""

from __future__ import annotations

import dataclasses
import textwrap

import pytest

from quiz_app.bank import Bank, parse_bank
from quiz_app.check.cues import all_cues, bank_cues, length, names_letters


def bank_of(questions: str, head: str = "") -> Bank:
    text = (
        "format: 2\nid: cues\ntitle: Cues\n" + head + "questions:\n" + textwrap.indent(textwrap.dedent(questions), "  ")
    )
    bank, problems = parse_bank(text, "cues.yaml")
    assert bank is not None, problems
    return bank


def single(qid: str, choices: list[str], answer: str, extra: str = "") -> str:
    listed = "".join(f"    - {choice!r}\n" for choice in choices)
    return (
        f"- id: {qid}\n  type: single\n  prompt: p\n  choices:\n{listed}  answer: {answer}\n  explanation: e\n{extra}"
    )


def test_the_longest_choice_wins_where_it_is_keyed_against_chance() -> None:
    bank = bank_of(
        single("long-key", ["a much longer right answer", "short", "tiny"], "A")
        + single("short-key", ["right", "a much longer wrong answer", "no"], "A")
        + single("tie", ["same", "same", "x"], "A")
        + "- id: multi\n  type: multiple\n  prompt: p\n  choices: [the longest of them all, b, c]\n"
        "  answer: [B, C]\n  explanation: e\n"
    )
    cues, findings = bank_cues(bank)
    # long-key 1, short-key 0, tie 1/2 (the tied A and B share the pick), multi 0 (its longest is not keyed)
    assert (cues.longest.questions, cues.longest.right) == (4, 1.5)
    assert cues.longest.score == pytest.approx(0.375)
    # Chance: one choice at random: 1/3 on each single, the keyed share (2/3) on the multiple.
    assert cues.longest.chance == pytest.approx(1 + 2 / 3)
    assert [w.question for w in cues.worst] == ["long-key"]
    assert cues.worst[0].ratio == pytest.approx(len("a much longer right answer") / len("short"))
    assert [f.rule for f in findings] == []  # 37.5%: not above 40%
    # On a multiple question the longest choice wins when it is one of the keyed choices.
    keyed = bank_of(
        "- id: multi\n  type: multiple\n  prompt: p\n  choices: [the longest of them all, b, c]\n"
        "  answer: [A, C]\n  explanation: e\n"
    )
    assert bank_cues(keyed)[0].longest.right == 1.0


def test_a_bank_above_40_percent_is_a_strict_finding_naming_its_worst_questions() -> None:
    bank = bank_of(
        single("one", ["the right answer is long", "no"], "A")
        + single("two", ["no", "the right answer is long again, longer"], "B")
        + single("three", ["the longer, wrong one", "right"], "B")
    )
    cues, findings = bank_cues(bank)
    assert cues.longest.score == pytest.approx(2 / 3)
    (finding,) = findings
    assert (finding.rule, finding.strict, finding.question, finding.line) == ("longest", True, None, 1)
    assert finding.message.startswith(
        "bank 'cues': always picking the longest choice scores 67% of its 3 single and multiple questions "
        "(chance 50%; at most 40%); the longest choice is keyed in 'two' (line "
    )


def test_length_is_what_a_learner_sees() -> None:
    assert length("no   grad") == length("no grad") == 7
    assert length("中文") == 4  # wide characters take two cells


def test_the_most_frequent_key_letter_counts_only_choices_shown_as_written() -> None:
    questions = (
        single("a1", ["x", "y", "z"], "A")
        + single("a2", ["x", "y", "z"], "A")
        + single("b1", ["x", "y", "z"], "B", extra="  fixed_order: true\n")
    )
    shuffled = bank_cues(bank_of(questions))[0]
    assert shuffled.letter.questions == 1 and shuffled.letter_best == "B"  # only the fixed_order question
    assert shuffled.key_letters == {"A": 2, "B": 1}
    written = bank_cues(bank_of(questions, head="shuffle: false\n"))[0]
    assert (written.letter.questions, written.letter_best, written.letter.right) == (3, "A", 2.0)
    assert written.letter.score == pytest.approx(2 / 3) and written.letter.chance_score == pytest.approx(1 / 3)
    assert bank_cues(bank_of(single("a", ["x", "y"], "A")))[0].letter_best is None


def test_always_true_and_always_false() -> None:
    tf = "- {{id: {qid}, type: true_false, prompt: p, answer: {answer}, explanation: e}}\n"
    bank = bank_of("".join(tf.format(qid=f"q{n}", answer=a) for n, a in enumerate(["true", "false", "false", "false"])))
    cues = bank_cues(bank)[0]
    assert (cues.always_true.score, cues.always_false.score, cues.always_true.chance_score) == (0.25, 0.75, 0.5)


@pytest.mark.parametrize(
    "text",
    ["All of the above", "none of these", "Both of the above", "以上都对", "以上说法都不正确", "上述选项均正确"],
)
def test_all_or_none_of_the_above_is_found_and_scored(text: str) -> None:
    bank = bank_of(single("q", ["one", "two", text], "C") + single("plain", ["one", "two"], "A"))
    cues, findings = bank_cues(bank)
    assert (cues.all_none.questions, cues.all_none.right) == (1, 1.0)
    findings = [f for f in findings if f.rule != "longest"]
    assert [(f.rule, f.question, f.strict) for f in findings] == [("all-none", "q", False)]
    assert findings[0].message.startswith("question 'q': choice C is 'all/none of the above'")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Both A and C", ["A", "C"]),
        ("A, B or C", ["A", "B", "C"]),
        ("Options B and C", ["B", "C"]),
        ("choice B", ["B"]),
        ("A 和 C 都对", ["A", "C"]),
        ("选项B", ["B"]),
        ("A tensor and a module", []),
        ("`A` and `B` are tensors", []),
        ("x[A] or y", []),
        ("an option a learner picks", []),
        ("E and F", []),  # no such choices in a question of four
    ],
)
def test_a_choice_naming_another_by_letter(text: str, named: list[str]) -> None:
    assert names_letters(text, "ABCD") == named


def test_a_naming_choice_is_scored_and_warned_about_with_the_fix() -> None:
    bank = bank_of(single("q", ["eval", "no_grad", "Both A and B"], "C"))
    cues, findings = bank_cues(bank)
    assert (cues.names_letter.questions, cues.names_letter.right) == (1, 1.0)
    (finding,) = [f for f in findings if f.rule != "longest"]
    assert finding.rule == "names-letter" and not finding.strict
    assert "(say 'fixed_order: true')" in finding.message
    fixed = bank_of(single("q", ["eval", "no_grad", "Both A and B"], "C", extra="  fixed_order: true\n"))
    assert "fixed_order" not in next(f for f in bank_cues(fixed)[1] if f.rule == "names-letter").message


HOLDS = """\
- id: q
  type: single
  prompt: p
  snippet: |
    model.eval()
    out = model(x)
  choices:
    - text: uses what the snippet binds
      holds: out.requires_grad
    - text: uses what the snippet uses
      holds: not model.training
    - text: constant
      holds: "1 + 1 == 2 and len([]) == 0"
    - text: unrelated
      holds: torch.is_grad_enabled() and other > 0
    - text: a comprehension's own names are not the run's
      holds: "all(v for v in [True])"
  answer: A
  explanation: e
"""


def test_a_holds_that_is_constant_or_reads_nothing_the_snippet_touches() -> None:
    cues, findings = bank_cues(bank_of(HOLDS, head="setup: 'model = nn.Linear(2, 2); x = torch.ones(2); other = 1'\n"))
    assert (cues.holds_total, cues.holds_constant, cues.holds_unrelated) == (5, 2, 1)
    found = {(f.rule, f.line, f.strict) for f in findings if f.rule.endswith("holds")}
    assert found == {("constant-holds", 17, True), ("unrelated-holds", 19, False), ("constant-holds", 21, True)}
    constant = next(f for f in findings if f.line == 17)
    assert constant.message == (
        "question 'q': choice C's holds `1 + 1 == 2 and len([]) == 0` is constant: it reads no name of the run, "
        "so its truth cannot depend on the snippet"
    )
    unrelated = next(f for f in findings if f.rule == "unrelated-holds")
    assert "(other, torch)" in unrelated.message


def test_a_true_false_statement_is_read_too() -> None:
    bank = bank_of(
        "- {id: t, type: true_false, prompt: p, snippet: x = 1, holds: 'True', answer: true, explanation: e}\n"
    )
    (finding,) = [f for f in bank_cues(bank)[1] if f.rule == "constant-holds"]
    assert finding.message.startswith("question 't': the statement's holds `True` is constant")


def test_the_total_adds_every_bank_and_takes_one_letter_across_them() -> None:
    first = bank_of(
        single("a", ["long right answer", "b"], "A") + single("b", ["x", "y"], "B"), head="shuffle: false\n"
    )
    second = dataclasses.replace(bank_of(single("c", ["x", "y", "z"], "B"), head="shuffle: false\n"), id="other")
    per_bank, total, _ = all_cues([first, second])
    assert set(per_bank) == {"cues", "other"}
    assert (total.longest.questions, total.longest.right) == (
        3,
        per_bank["cues"].longest.right + per_bank["other"].longest.right,
    )
    assert total.letter_best == "B" and total.letter.right == 2.0 and total.letter.questions == 3
    assert per_bank["cues"].letter_best == "A"  # a tie goes to the first letter
