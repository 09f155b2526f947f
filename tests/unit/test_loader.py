"""The loader reports every problem of a bank at the line and column a teacher needs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from helpers.paths import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz_app.bank import load_banks, parse_bank
from quiz_app.bank.model import Question

GOOD = """\
id: demo
title: Demo
questions:
  - id: q1
    type: single
    prompt: Pick one
    choices: [one, two, three]
    answer: B
    explanation: Because.
"""


def problems_of(text: str) -> list[str]:
    bank, problems = parse_bank(textwrap.dedent(text), "bank.yaml")
    assert bank is None, "a bank with problems must not load"
    return [str(problem) for problem in problems]


def with_question(body: str) -> str:
    head = "id: demo\ntitle: Demo\nquestions:\n"
    return head + textwrap.indent(textwrap.dedent(body), "  ")


def test_a_good_bank_loads_with_defaults() -> None:
    bank, problems = parse_bank(GOOD, "good.yaml")
    assert problems == []
    assert bank is not None
    assert (bank.id, bank.title, bank.language, bank.format, bank.setup) == ("demo", "Demo", "en", 1, "")
    question = bank.questions[0]
    assert (question.type, question.answer) == ("single", "B")
    assert [choice.text for choice in question.choices] == ["one", "two", "three"]
    assert question.timeout == 10.0
    assert (question.line, question.col) == (4, 5)


def test_the_documented_example_loads() -> None:
    doc = (ROOT / "docs" / "question-format.md").read_text(encoding="utf-8")
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    bank, problems = parse_bank(example, "doc.yaml")
    assert problems == []
    assert bank is not None
    assert {q.type for q in bank.questions} == {"single", "multiple", "true_false", "predict"}


def test_yaml_syntax_error_names_line_and_column() -> None:
    assert problems_of("id: demo\ntitle: [unclosed\nquestions: []\n") == [
        "bank.yaml:3:10: YAML syntax error: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence started at line 2)"
    ]


def test_duplicate_key_is_an_error_not_silently_the_last() -> None:
    text = GOOD + "title: Again\n"
    assert "bank.yaml:10:1: duplicate key 'title' (first given at line 2)" in problems_of(text)


def test_unknown_key_suggests_the_right_one() -> None:
    text = with_question(
        """\
        - id: q1
          type: single
          prompt: p
          choices: [a, b]
          anwser: A
          explanation: e
        """
    )
    found = problems_of(text)
    assert "bank.yaml:8:5: unknown key 'anwser' in question 'q1' (did you mean 'answer'?)" in found
    assert "bank.yaml:4:5: question 'q1' is missing the required key 'answer'" in found


def test_python_tags_are_refused_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = GOOD.replace("prompt: Pick one", f"prompt: !!python/object/apply:os.system ['touch {marker}']")
    found = problems_of(text)
    assert found[0] == "bank.yaml:6:13: YAML tag '!!python/object/apply:os.system' is not allowed in a bank"
    assert not marker.exists()


@pytest.mark.parametrize(
    ("replace", "by", "expected"),
    [
        ("answer: B", "answer: E", "bank.yaml:8:13: answer 'E' names no choice (choices are A-C)"),
        ("answer: B", "answer: [A, B]", "bank.yaml:8:13: an answer letter must be one letter such as A"),
        ("choices: [one, two, three]", "choices: one", "bank.yaml:7:14: 'choices' must be a list of 2 to 8 strings"),
        ("choices: [one, two, three]", "choices: [one]", "bank.yaml:7:14: 'choices' must be a list of 2 to 8 strings"),
        ("type: single", "type: singel", "bank.yaml:5:11: unknown question type 'singel' (did you mean 'single'?)"),
        ("id: demo", "id: Demo Bank", "bank.yaml:1:5: bank id 'Demo Bank' must be lower-case letters"),
        ("prompt: Pick one", "prompt: [a, b]", "bank.yaml:6:13: 'prompt' must be text, not a list"),
        ("prompt: Pick one", "prompt: ''", "bank.yaml:6:13: 'prompt' must not be empty"),
        ("id: demo", "format: 3\nid: demo", "bank.yaml:1:9: format 3 is newer than this quiz-app reads"),
        ("id: demo", "format: one\nid: demo", "bank.yaml:1:9: 'format' must be a whole number such as 2"),
        ("title: Demo", "title: Demo\nlanguage: 'not a language'", "bank.yaml:3:11: 'language' must be a language tag"),
    ],
)
def test_wrong_values_are_located(replace: str, by: str, expected: str) -> None:
    found = problems_of(GOOD.replace(replace, by))
    assert any(problem.startswith(expected) for problem in found), found


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "- {id: t, type: true_false, prompt: p, answer: maybe, explanation: e}",
            "bank.yaml:4:50: a true_false question's 'answer' must be true or false",
        ),
        (
            "- {id: t, type: true_false, prompt: p, answer: true, choices: [a, b], explanation: e}",
            "bank.yaml:4:65: 'choices' is not allowed for a true_false question",
        ),
        (
            "- {id: t, type: predict, prompt: p, explanation: e}",
            "bank.yaml:4:5: question 't' is missing the required key 'snippet'",
        ),
        (
            "- {id: t, type: multiple, prompt: p, choices: [a, b], answer: A, explanation: e}",
            "bank.yaml:4:65: a multiple question's 'answer' must be a list of letters such as [A, C]",
        ),
        (
            "- {id: t, type: multiple, prompt: p, choices: [a, b], answer: [A, A], explanation: e}",
            "bank.yaml:4:65: the answer lists a letter twice",
        ),
        (
            "- {id: t, type: predict, prompt: p, snippet: 'print(1)', timeout: 500, explanation: e}",
            "bank.yaml:4:69: 'timeout' must be a number of seconds above 0 and at most 120",
        ),
        (
            "- {id: t, type: predict, prompt: p, snippet: 'print(1)', expect: '/(/', explanation: e}",
            "bank.yaml:4:68: 'expect' is not a valid regular expression",
        ),
        (
            "- {id: t, type: predict, prompt: p, snippet: 'print(1)', tags: basic, explanation: e}",
            "bank.yaml:4:66: 'tags' must be a list of short words",
        ),
        ("- just text", "bank.yaml:4:5: question 1 must be a mapping of keys to values"),
    ],
)
def test_question_problems_are_located(body: str, expected: str) -> None:
    found = problems_of("id: demo\ntitle: Demo\nquestions:\n  " + body + "\n")
    assert any(problem.startswith(expected) for problem in found), found


def test_snippet_syntax_error_points_into_the_block() -> None:
    text = with_question(
        """\
        - id: q1
          type: predict
          prompt: p
          explanation: e
          snippet: |
            x = 1
            if x
              print(x)
        """
    )
    assert problems_of(text) == ["bank.yaml:10:11: Python syntax error in 'snippet': expected ':'"]


def test_duplicate_question_ids() -> None:
    text = with_question(
        """\
        - {id: q1, type: true_false, prompt: p, answer: true, explanation: e}
        - {id: q1, type: true_false, prompt: p, answer: false, explanation: e}
        """
    )
    assert problems_of(text) == ["bank.yaml:5:5: duplicate question id 'q1' (first at line 4)"]


def test_all_problems_of_a_file_are_reported_in_line_order() -> None:
    text = with_question(
        """\
        - {id: q1, type: single, prompt: p, choices: [a, b], answer: C, explanation: e}
        - {id: q2, type: true_false, prompt: p, answer: 3, explanation: e}
        - {id: q3, type: predict, prompt: p, explanation: e, snippet: x, colour: red}
        """
    )
    found = problems_of(text)
    assert len(found) == 3
    assert [int(problem.split(":")[1]) for problem in found] == [4, 5, 6]


def test_empty_and_comment_only_files() -> None:
    assert problems_of("") == ["bank.yaml:1:1: the file is empty; a bank needs at least an id, a title and questions"]
    assert problems_of("# nothing here\n") == ["bank.yaml:1:1: the file holds no YAML document (only comments?)"]


def test_non_utf8_names_the_byte() -> None:
    raw = GOOD.replace("Pick one", "Pick \xe9").encode("latin-1")
    bank, problems = parse_bank(raw, "bank.yaml")
    assert bank is None
    assert [str(p) for p in problems] == ["bank.yaml:6:18: the file is not UTF-8 text (byte 0xe9); save it as UTF-8"]


def test_text_fields_are_taken_as_written() -> None:
    text = with_question(
        """\
        - id: q1
          type: predict
          prompt: p
          snippet: print(3)
          answer: 3
          explanation: e
        - {id: q2, type: single, prompt: p, choices: [yes, no, 1.0], answer: a, explanation: e}
        """
    )
    bank, problems = parse_bank(text, "bank.yaml")
    assert problems == []
    assert bank is not None
    assert bank.questions[0].answer == "3"
    assert [choice.text for choice in bank.questions[1].choices] == ["yes", "no", "1.0"]
    assert bank.questions[1].answer == "A"


def test_content_hash_follows_what_the_learner_sees() -> None:
    base = Question(id="q", type="single", prompt="p", explanation="e", choices=("a", "b"), answer="A")
    same = Question(id="q", type="single", prompt="p", explanation="better words", choices=("a", "b"), answer="A")
    changed = Question(id="q", type="single", prompt="p", explanation="e", choices=("a", "b"), answer="B")
    assert base.content_hash == same.content_hash
    assert base.content_hash != changed.content_hash


def test_a_broken_file_never_stops_the_others(tmp_path: Path) -> None:
    (tmp_path / "a_good.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b_broken.yaml").write_text("id: [", encoding="utf-8")
    (tmp_path / "c_twin.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a bank", encoding="utf-8")
    result = load_banks([tmp_path, tmp_path / "missing.yaml"])
    assert [bank.id for bank in result.banks] == ["demo"]
    messages = [str(problem) for problem in result.problems]
    assert messages[0].startswith(f"{tmp_path / 'b_broken.yaml'}:1:")
    assert messages[1].startswith(f"{tmp_path / 'c_twin.yaml'}:1:1: bank id 'demo' is already used by ")
    assert messages[2] == f"{tmp_path / 'missing.yaml'}:1:1: no such file or folder"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes_never_crash_the_loader(raw: bytes) -> None:
    bank, problems = parse_bank(raw, "fuzz.yaml")
    assert bank is None or problems == []
    assert all(problem.line >= 1 and problem.col >= 1 for problem in problems)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
bankish = st.fixed_dictionaries(
    {},
    optional={
        "id": yaml_values | st.just("demo"),
        "title": yaml_values,
        "format": yaml_values,
        "setup": yaml_values,
        "questions": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    key: yaml_values
                    for key in ("id", "type", "prompt", "choices", "answer", "snippet", "expect", "timeout", "tags")
                },
            ),
            max_size=3,
        ),
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(yaml_values, bankish))
def test_random_yaml_never_crashes_the_loader(value: object) -> None:
    text = yaml.safe_dump(value, allow_unicode=True)
    bank, problems = parse_bank(text, "fuzz.yaml")
    assert (bank is None) == bool(problems)


F2 = """\
format: 2
id: demo
title: Demo
misconceptions:
  eval-stops-autograd: "model.eval() turns autograd off"
questions:
  - id: q1
    type: single
    prompt: Pick one
    snippet: x = 1
    choices:
      - text: one
        holds: "x == 1"
      - text: two
        holds: "x == 2"
        misconception: eval-stops-autograd
        why: "`x` is 1."
      - plain three
    answer: A
    explanation: Because.
  - id: q2
    type: true_false
    prompt: Is it?
    snippet: x = 1
    holds: "x == 1"
    answer: true
    explanation: Because.
"""


def test_a_format_2_bank_loads_choices_holds_and_misconceptions() -> None:
    bank, problems = parse_bank(F2, "f2.yaml")
    assert problems == []
    assert bank is not None and bank.format == 2
    assert bank.misconceptions == {"eval-stops-autograd": "model.eval() turns autograd off"}
    first, second = bank.questions
    assert [(c.text, c.holds, c.misconception) for c in first.choices] == [
        ("one", "x == 1", None),
        ("two", "x == 2", "eval-stops-autograd"),
        ("plain three", None, None),
    ]
    assert first.choices[1].why == "`x` is 1."
    assert first.statements() == [("A", "x == 1", True), ("B", "x == 2", False), ("C", None, False)]
    assert second.statements() == [("statement", "x == 1", True)]
    assert first.holds_expressions() == ("x == 1", "x == 2")


@pytest.mark.parametrize(
    ("replace", "by", "expected"),
    [
        ('holds: "x == 2"', 'holds: "x =="', "bank.yaml:15:17: 'holds' is not a valid Python expression"),
        (
            "misconception: eval-stops-autograd",
            "misconception: eval-stop-autograd",
            "bank.yaml:16:24: misconception 'eval-stop-autograd' is not defined in this bank "
            "(did you mean 'eval-stops-autograd'?)",
        ),
        (
            "    answer: A\n",
            "    answer: B\n",
            "bank.yaml:14:9: choice B is keyed as right, so it cannot carry a misconception",
        ),
        (
            "    type: true_false",
            "    type: predict",
            "bank.yaml:25:12: a question-level 'holds' is for true_false questions",
        ),
        (
            "    snippet: x = 1\n    holds",
            "    holds",
            "bank.yaml:21:5: question 'q2' uses 'holds', which is evaluated",
        ),
        (
            "title: Demo",
            'title: "Demo \\e]0;pwned\\a"',
            "bank.yaml:3:8: this text holds the terminal control character U+001B",
        ),
    ],
)
def test_format_2_problems_are_located(replace: str, by: str, expected: str) -> None:
    found = problems_of(F2.replace(replace, by, 1))
    assert any(problem.startswith(expected) for problem in found), found


def test_format_2_keys_in_a_format_1_bank_are_errors_at_their_place() -> None:
    text = F2.replace("format: 2", "format: 1")
    found = problems_of(text)
    assert "bank.yaml:5:3: 'misconceptions' needs 'format: 2' at the top of the bank" in found
    needs = "a choice with 'text', 'holds', 'misconception' or 'why' needs 'format: 2' at the top of the bank"
    assert f"bank.yaml:12:9: {needs}" in found
    assert "bank.yaml:25:12: 'holds' needs 'format: 2' at the top of the bank" in found


def test_the_documented_format_2_example_loads() -> None:
    doc = (ROOT / "docs" / "question-format.md").read_text(encoding="utf-8")
    examples = [block.split("```", 1)[0] for block in doc.split("```yaml\n")[1:]]
    format_2 = [text for text in examples if text.startswith("format: 2")]
    assert format_2, "the docs show a complete format-2 bank"
    bank, problems = parse_bank(format_2[0], "doc.yaml")
    assert problems == []
    assert bank is not None
    assert {q.type for q in bank.questions} == {"single", "multiple", "true_false", "predict"}
    assert bank.misconceptions and all(q.holds_expressions() for q in bank.questions if q.type != "predict")


# -- contrasts, fixed_order and shuffle (issues 22 and 23) ------------------------------------
CONTRASTS = """\
format: 2
id: demo
title: Demo
setup: |
  model = nn.Linear(4, 4)
questions:
  - id: q1
    type: single
    prompt: p
    snippet: |
      model.eval()
      out = model(torch.ones(1, 4)).sum()
    contrasts:
      - label: "with torch.no_grad() instead"
        snippet: |
          with torch.no_grad():
              out = model(torch.ones(1, 4)).sum()
      - label: in training mode
        snippet: |
          model.train()
          out = model(torch.ones(1, 4)).sum()
    choices:
      - text: records
        holds: out.requires_grad
      - text: does not
        holds: not out.requires_grad
    answer: A
    fixed_order: true
    explanation: e
"""


def test_contrasts_and_fixed_order_load_with_their_places() -> None:
    bank, problems = parse_bank(CONTRASTS, "bank.yaml")
    assert problems == [] and bank is not None
    question = bank.questions[0]
    assert [(c.label, c.line, c.col) for c in question.contrasts] == [
        ("with torch.no_grad() instead", 14, 9),
        ("in training mode", 18, 9),
    ]
    assert question.contrasts[0].snippet == "with torch.no_grad():\n    out = model(torch.ones(1, 4)).sum()\n"
    assert question.fixed_order is True
    plain, _ = parse_bank(CONTRASTS.replace("    fixed_order: true\n", ""), "bank.yaml")
    assert plain is not None and plain.questions[0].fixed_order is False
    # Neither changes what the learner is asked, so scores stay with the question.
    assert plain.questions[0].content_hash == question.content_hash


@pytest.mark.parametrize(
    ("replace", "by", "expected"),
    [
        (
            '      - label: "with torch.no_grad() instead"\n',
            "      - lable: x\n",
            "bank.yaml:14:9: unknown key 'lable' in contrast 1 (did you mean 'label'?)",
        ),
        (
            '      - label: "with torch.no_grad() instead"\n',
            "      - \n",
            "bank.yaml:15:9: contrast 1 is missing the required key 'label'",
        ),
        (
            "        snippet: |\n          with torch.no_grad():\n              out = model(torch.ones(1, 4)).sum()\n",
            '        snippet: ""\n',
            "bank.yaml:15:18: the 'snippet' of contrast 1 is empty",
        ),
        (
            "              out = model(torch.ones(1, 4)).sum()\n      - label",
            "              out = model(torch.ones(1, 4).sum()\n      - label",
            "bank.yaml:17:26: Python syntax error in 'snippet' of contrast 1: '(' was never closed",
        ),
        (
            "          model.train()\n",
            "          model.train(\n",
            "bank.yaml:20:22: Python syntax error in 'snippet' of contrast 2: '(' was never closed",
        ),
        (
            '"with torch.no_grad() instead"',
            "in training mode",
            "bank.yaml:18:16: contrast 2 has the same label as contrast 1: 'in training mode'",
        ),
        (
            '"with torch.no_grad() instead"',
            "|\n          two\n          lines",
            "bank.yaml:14:16: the 'label' of contrast 1 must be one line",
        ),
        ('"with torch.no_grad() instead"', "[a, b]", "bank.yaml:14:16: 'label' must be text, not a list"),
        (
            "    contrasts:\n",
            "    contrasts: with no_grad\n    unused:\n",
            "bank.yaml:13:16: 'contrasts' must be a list of 1 to 4 mappings, each with 'label' and 'snippet'",
        ),
        (
            "    contrasts:\n",
            "    contrasts:\n      - just text\n",
            "bank.yaml:14:9: contrast 1 must be a mapping of keys to values",
        ),
        ("    fixed_order: true", "    fixed_order: sometimes", "bank.yaml:28:18: 'fixed_order' must be true or false"),
        (
            "    type: single",
            "    type: true_false\n    holds: out.requires_grad",
            "bank.yaml:29:18: 'fixed_order' keeps choices in order; a true_false question has none",
        ),
        (
            "    snippet: |\n      model.eval()\n      out = model(torch.ones(1, 4)).sum()\n",
            "",
            "bank.yaml:11:7: question 'q1' has 'contrasts', each run instead of its 'snippet'; add the snippet they change",
        ),
        ("format: 2", "format: 1", "bank.yaml:14:7: 'contrasts' needs 'format: 2' at the top of the bank"),
    ],
)
def test_contrast_problems_are_located(replace: str, by: str, expected: str) -> None:
    assert replace in CONTRASTS
    found = problems_of(CONTRASTS.replace(replace, by, 1))
    assert any(problem.startswith(expected) for problem in found), found


def test_at_most_four_contrasts() -> None:
    five = "".join(f"      - label: change {n}\n        snippet: out = {n}\n" for n in range(5))
    text = CONTRASTS.replace("    contrasts:\n", "    contrasts:\n" + five, 1)
    assert "bank.yaml:22:9: a question may have at most 4 contrasts; this is contrast 5" in problems_of(text)


def test_shuffle_is_true_false_or_not_given() -> None:
    given = {}
    for value in ("true", "false", None):
        text = GOOD if value is None else GOOD.replace("title: Demo", f"title: Demo\nshuffle: {value}")
        bank, problems = parse_bank(text, "bank.yaml")
        assert problems == [] and bank is not None
        given[value] = bank.shuffle
    assert given == {"true": True, "false": False, None: None}
    assert problems_of(GOOD.replace("title: Demo", "title: Demo\nshuffle: often")) == [
        "bank.yaml:3:10: 'shuffle' must be true or false"
    ]


def test_a_syntax_error_on_an_indented_line_of_a_block_is_at_its_column() -> None:
    text = with_question(
        """\
        - id: q1
          type: predict
          prompt: p
          explanation: e
          snippet: |
            for x in range(2):
                print(x +)
        """
    )
    # The column counts from the block's indentation, not from the indented line's own.
    assert problems_of(text) == ["bank.yaml:10:20: Python syntax error in 'snippet': invalid syntax"]
