"""The warm worker runs real torch snippets and survives anything they do."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from quiz_app.runner import Outcome, SnippetRunner


def test_outcome_is_stdout_then_stderr_then_the_exception(runner: SnippetRunner) -> None:
    outcome = runner.run("import sys\nprint('out')\nprint('err', file=sys.stderr)\nraise ValueError('boom')")
    assert outcome.status == "error"
    assert (outcome.exc_type, outcome.exc_message) == ("ValueError", "boom")
    assert outcome.text == "out\nerr\nValueError: boom"


def test_namespace_has_torch_nn_f_and_device_and_a_fixed_seed(runner: SnippetRunner) -> None:
    code = (
        "print(type(nn.Linear(1, 1)).__name__, F.relu(torch.tensor(-1.0)).item(), device.type)\n"
        "print(torch.rand(1).item())"
    )
    first, second = runner.run(code), runner.run(code)
    assert first.status == "ok", first.text
    assert first.text.splitlines()[0] == "Linear 0.0 cpu"
    assert first.text == second.text  # torch.manual_seed(0) before every snippet
    assert (first.device, first.torch_version.split("+")[0]) == ("cpu", __import__("torch").__version__.split("+")[0])


def test_setup_runs_first_in_the_same_namespace(runner: SnippetRunner) -> None:
    outcome = runner.run("print(model.training)", setup="model = nn.Dropout(0.5)\nmodel.eval()")
    assert outcome.text == "False\n"


def test_each_snippet_gets_a_fresh_namespace(runner: SnippetRunner) -> None:
    runner.run("leftover = 1")
    assert runner.run("print(leftover)").exc_type == "NameError"


@pytest.mark.parametrize(
    ("change", "probe", "expected"),
    [
        ("torch.set_grad_enabled(False)", "print(torch.is_grad_enabled())", "True"),
        ("cm = torch.inference_mode()\ncm.__enter__()", "print(torch.is_inference_mode_enabled())", "False"),
        ("torch.set_default_dtype(torch.float64)", "print(torch.get_default_dtype())", "torch.float32"),
        ("torch.set_anomaly_enabled(True)", "print(torch.is_anomaly_enabled())", "False"),
        (
            "torch.set_num_threads(1)",
            f"print(torch.get_num_threads() == {__import__('torch').get_num_threads()})",
            "True",
        ),
        ("torch.set_printoptions(precision=1)", "print(torch.tensor([0.123456]))", "tensor([0.1235])"),
        ("torch.use_deterministic_algorithms(True)", "print(torch.are_deterministic_algorithms_enabled())", "False"),
        ("torch.set_default_device('meta')", "print(torch.ones(1).device)", "cpu"),
        ("nn.Module.eval = lambda self: 'patched'", "print(nn.Linear(1, 1).eval() is not None)", "True"),
        ("import builtins\nbuiltins.len = lambda x: 42", "print(len([1]))", "1"),
        ("nn.Dropout.forward = lambda self, x: x * 0", "print(nn.Dropout(0.5).eval()(torch.ones(1)).item())", "1.0"),
        ("torch.optim.SGD.step = None", "print(torch.optim.SGD.step is not None)", "True"),
        ("torch.backends.cudnn.benchmark = True", "print(torch.backends.cudnn.benchmark)", "False"),
        ("torch.set_float32_matmul_precision('medium')", "print(torch.get_float32_matmul_precision())", "highest"),
        ("import os\nos.chdir('/')", "import os\nprint(os.getcwd() != '/')", "True"),
    ],
)
def test_global_state_is_put_back(runner: SnippetRunner, change: str, probe: str, expected: str) -> None:
    assert runner.run(change).ran
    assert runner.run(probe).text.strip() == expected


def test_timeout_gives_a_clear_outcome_and_a_working_worker(fresh_runner: SnippetRunner) -> None:
    first_pid = fresh_runner.wait_ready().pid
    outcome = fresh_runner.run("while True:\n    pass", timeout=0.5)
    assert outcome.status == "timeout"
    assert outcome.text == "the snippet ran past its 0.5 s limit and was stopped"
    assert fresh_runner.run("print('alive')").text == "alive\n"
    assert fresh_runner.info.pid != first_pid


def test_os_exit_and_a_crash_are_reported_and_survived(fresh_runner: SnippetRunner) -> None:
    exited = fresh_runner.run("import os\nos._exit(3)")
    assert exited.status == "crashed"
    assert "exit code 3" in exited.text
    crashed = fresh_runner.run("import ctypes\nctypes.string_at(0)")
    assert crashed.status == "crashed"
    assert "SIGSEGV" in crashed.text
    assert fresh_runner.run("print(torch.ones(2).sum().item())").text == "2.0\n"
    assert fresh_runner.restarts == 2


def test_sys_exit_and_keyboard_interrupt_are_plain_outcomes(runner: SnippetRunner) -> None:
    assert runner.run("import sys\nsys.exit(2)").text == "SystemExit: 2"
    assert runner.run("raise KeyboardInterrupt").exc_type == "KeyboardInterrupt"
    assert runner.run("input()").exc_type == "EOFError"


def test_huge_output_is_capped(runner: SnippetRunner) -> None:
    outcome = runner.run("for _ in range(10000):\n    print('x' * 1000)")
    assert outcome.truncated
    assert len(outcome.text) < 21_000
    assert outcome.text.endswith("[output cut: the snippet printed too much]\n")
    assert runner.run("print('next')").text == "next\n"


def test_an_unavailable_device_is_reported_not_raised() -> None:
    with SnippetRunner("cuda:7") as runner:
        import torch

        if torch.cuda.device_count() > 7:
            pytest.skip("this machine has eight GPUs")
        outcome = runner.run("print(1)")
    assert outcome.status == "unavailable"
    assert outcome.text.startswith("the PyTorch worker could not start: ")
    assert "CUDA" in outcome.text or "device" in outcome.text


def test_start_returns_at_once_and_the_worker_warms_in_the_background() -> None:
    runner = SnippetRunner("cpu")
    try:
        started = time.perf_counter()
        runner.start()
        elapsed = time.perf_counter() - started
        assert not runner.is_ready()  # torch cannot have been imported in the time start() took
        assert elapsed < 0.5
        assert runner.wait_ready() is not None
        assert runner.is_ready()
    finally:
        runner.close()


async def test_arun_never_blocks_the_event_loop(runner: SnippetRunner) -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    outcome = await runner.arun("import time\ntime.sleep(0.5)\nprint('done')")
    task.cancel()
    assert outcome.text == "done\n"
    assert ticks >= 10


def test_closing_the_runner_ends_the_worker() -> None:
    runner = SnippetRunner("cpu")
    pid = runner.wait_ready().pid
    runner.close()
    with pytest.raises(ProcessLookupError):
        for _ in range(50):
            os.kill(pid, 0)
            time.sleep(0.1)


def test_domain_packages_import_nothing_from_textual_or_torch() -> None:
    code = (
        "import sys, quiz_app.bank, quiz_app.runner, quiz_app.progress, quiz_app.check.prove\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'torch', 'rich'))\n"
        "print(bad)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def stop_mid_snippet(runner: SnippetRunner, stop: Callable[[], None]) -> Outcome:
    """Run a 60 s snippet in a thread, call ``stop`` half a second in, and return its outcome."""
    runner.wait_ready()
    outcomes: list[Outcome] = []
    thread = threading.Thread(target=lambda: outcomes.append(runner.run("import time\ntime.sleep(60)", timeout=60)))
    thread.start()
    time.sleep(0.5)
    stop()
    thread.join(timeout=10)
    assert not thread.is_alive(), "the running snippet held on after being stopped"
    return outcomes[0]


def test_cancel_stops_a_running_snippet_at_once(fresh_runner: SnippetRunner) -> None:
    outcome = stop_mid_snippet(fresh_runner, fresh_runner.cancel)
    assert outcome.status == "crashed"
    assert outcome.text == "the snippet was stopped"
    assert fresh_runner.run("print('next')").text == "next\n"


def test_close_mid_snippet_returns_and_starts_nothing_new() -> None:
    runner = SnippetRunner("cpu")
    outcome = stop_mid_snippet(runner, runner.close)
    assert outcome.status == "crashed"
    assert runner.info is None
    assert runner.run("print(1)").status == "unavailable"


def test_close_during_warm_up_does_not_wait_for_torch() -> None:
    runner = SnippetRunner("cpu")
    runner.start()
    waiter = threading.Thread(target=runner.wait_ready)
    waiter.start()  # holds the runner's lock while torch imports
    time.sleep(0.05)
    runner.close()
    waiter.join(timeout=10)
    assert not waiter.is_alive()
    assert runner.info is None
    assert runner.failure == "the PyTorch worker could not start: it was stopped"  # killed, not awaited


def test_on_the_cpu_the_drivers_cuda_complaint_is_not_part_of_the_outcome(runner: SnippetRunner) -> None:
    code = (
        "import warnings\n"
        "warnings.warn('CUDA initialization: Unexpected error from cudaGetDeviceCount()', UserWarning)\n"
        "warnings.warn('a warning of the lesson', UserWarning)\n"
        "print('done')"
    )
    outcome = runner.run(code)
    assert "CUDA initialization" not in outcome.text
    assert "UserWarning: a warning of the lesson" in outcome.text


def test_a_prefork_delay_forks_the_next_process_later_and_a_run_meanwhile_does_not_wait_for_it() -> None:
    """The app's runner forks the next snippet process PREFORK_DELAY after a reply (so that the
    fork does not take the CPU the answer is drawn with); a run that comes sooner asks for its
    own process, and every run still gets a fresh one."""
    with SnippetRunner(os.environ.get("QUIZ_APP_TEST_DEVICE", "cpu"), prefork_delay=1.0) as delayed:
        assert delayed.wait_ready() is not None
        first = delayed.run("import os\nprint(os.getpid())")
        assert not delayed.is_ready()  # nothing forked yet: the delay has not passed
        second = delayed.run("import os\nprint(os.getpid())")  # asks for its own process at once
        assert first.status == second.status == "ok"
        assert first.stdout != second.stdout  # two processes
        deadline = time.monotonic() + 30
        while not delayed.is_ready():
            assert time.monotonic() < deadline, "the delayed process never came"
            time.sleep(0.05)
        third = delayed.run("import os\nprint(os.getpid())")
        assert third.status == "ok" and third.stdout not in (first.stdout, second.stdout)


def test_the_interactive_runner_gives_each_snippet_only_its_own_output() -> None:
    """The app's runner (its next process forked after a pause): every outcome is its own."""
    with SnippetRunner.interactive(os.environ.get("QUIZ_APP_TEST_DEVICE", "cpu")) as interactive:
        assert interactive.prefork_delay > 0
        outcomes = [interactive.run(f"print('own {number}')") for number in range(3)]
        assert [outcome.stdout for outcome in outcomes] == ["own 0\n", "own 1\n", "own 2\n"]
        silent = interactive.run("x = 1")
        assert silent.status == "ok" and silent.stdout == "" and silent.text == ""


def test_the_interactive_runner_tidies_after_each_run_once_its_outcome_is_back() -> None:
    """The app's runner returns an outcome first and tidies after it (on a thread of its own):
    each finished snippet's scratch folder is removed, and closing with tidying still to do
    leaves nothing behind."""
    runner = SnippetRunner.interactive(os.environ.get("QUIZ_APP_TEST_DEVICE", "cpu"))
    try:
        pids = []
        for number in range(3):
            outcome = runner.run(f"import os\nopen('mine.txt', 'w').write('x')\nprint(os.getpid(), {number})")
            assert outcome.status == "ok"
            pids.append(outcome.stdout.split()[0])
        scratch = Path(runner._scratch)
        deadline = time.monotonic() + 10
        while any((scratch / pid).exists() for pid in pids):
            assert time.monotonic() < deadline, f"scratch folders left: {sorted(os.listdir(scratch))}"
            time.sleep(0.05)
        last = runner.run("print('last')")  # closed at once: its tidying is still queued
        assert last.stdout == "last\n"
    finally:
        runner.close()
    assert not scratch.exists()


def test_a_python_that_cannot_start_gives_an_outcome_that_says_so(tmp_path: Path) -> None:
    """run() never raises, even when there is no Python to start the zygote with."""
    with SnippetRunner("cpu", python=str(tmp_path / "no-python"), start_method="fork") as runner:
        outcome = runner.run("print(1)")
    assert outcome.status == "unavailable"
    assert runner.failure is not None and "could not start" in runner.failure and "no-python" in runner.failure
