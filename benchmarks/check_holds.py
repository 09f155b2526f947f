"""What `holds` costs (issue 7): the bundled banks' snippets run with their `holds` expressions
against the same snippets with every `holds` removed, in one run; and `quiz-app check --strict`
of the bundled banks as a whole.

Each question's snippet runs once with ``holds=question.holds_expressions()`` and once with
``holds=()``, in alternating order, each from a ready snippet process (the wait for it is not
timed). Target: the summed run() time with holds at most 1.2x without (median of 3 passes).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stats import import_torch, median, verdict  # noqa: E402

from quiz_app.bank import Bank, Question, load_banks  # noqa: E402
from quiz_app.core import locations  # noqa: E402
from quiz_app.runner import SnippetRunner  # noqa: E402

PASSES = 3


def timed(runner: SnippetRunner, bank: Bank, question: Question, holds: tuple[str, ...]) -> float:
    runner.wait_ready()
    time.sleep(0.01)  # the previous snippet process has finished exiting
    memory = int(question.memory * 2**30) if question.memory else None
    start = time.perf_counter()
    assert question.snippet is not None
    outcome = runner.run(question.snippet, bank.setup, question.timeout, holds, memory_limit=memory)
    elapsed = time.perf_counter() - start
    assert outcome.ran, (question.id, outcome)
    return elapsed


def check_strict() -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "quiz_app", "check", "--strict", "--device", "cpu"], capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    assert result.returncode == 0, result.stdout + result.stderr
    return elapsed


def main() -> None:
    loaded = load_banks([locations.bundled_banks_dir()])
    assert not loaded.problems, loaded.problems
    pairs = [(bank, question) for bank in loaded.banks for question in bank.questions if question.snippet]
    expressions = sum(len(question.holds_expressions()) for _, question in pairs)
    withs, withouts = [], []
    with SnippetRunner("cpu") as runner:
        runner.wait_ready()
        runner.run("pass")
        time.sleep(3.0)  # the zygote's background import of torch._dynamo ends
        for index in range(PASSES):
            with_holds = without = 0.0
            for number, (bank, question) in enumerate(pairs):
                if (number + index) % 2:
                    without += timed(runner, bank, question, ())
                    with_holds += timed(runner, bank, question, question.holds_expressions())
                else:
                    with_holds += timed(runner, bank, question, question.holds_expressions())
                    without += timed(runner, bank, question, ())
            withs.append(with_holds)
            withouts.append(without)
    units, checks = [], []
    for _ in range(PASSES):
        units.append(import_torch())
        checks.append(check_strict())
    ratio = median(withs) / median(withouts)
    each = ", ".join(f"{t:.3f}" for t in withs)
    each_without = ", ".join(f"{t:.3f}" for t in withouts)
    strict = median(checks)
    print(f"bundled banks: {len(loaded.banks)} banks, {len(pairs)} snippets, {expressions} holds expressions")
    print(f"summed run(), with holds:    median {median(withs):.3f} s  (passes: {each})")
    print(f"summed run(), holds removed: median {median(withouts):.3f} s  (passes: {each_without})")
    print(f'python -c "import torch" (unit): median {median(units):.3f} s ({PASSES} runs)')
    print(
        f"quiz-app check --strict, bundled banks: median {strict:.3f} s = {strict / median(units):.2f}x ({PASSES} runs)"
    )
    print(f"target with / without holds <= 1.2x: {ratio:.3f}x: {verdict(ratio <= 1.2)}")


if __name__ == "__main__":
    main()
