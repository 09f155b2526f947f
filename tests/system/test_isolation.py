"""Nothing a snippet does reaches a later snippet: each runs in a process no snippet ran in.

Every case below is proven twice: the change and the probe in ONE snippet show the probe
detects the change (so the case is real), and the probe run AFTER the change, as its own
snippet, prints exactly what it printed before the change.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from quiz_app.check import check
from quiz_app.runner import SnippetRunner

LEFTOVERS: list[tuple[str, str, str]] = [
    # (what, the change a careless snippet makes, a probe whose output the change alters)
    # New attributes that shadow inherited ones.
    ("Tensor.item shadowed", "torch.Tensor.item = lambda self: 42", "print(torch.tensor(1.5).item())"),
    (
        "Linear.__call__ shadowed",
        "nn.Linear.__call__ = lambda self, x: 'patched'",
        "print(nn.Linear(1, 1)(torch.ones(1, 1)).shape)",
    ),
    ("Module.eval replaced", "nn.Module.eval = lambda self: 'patched'", "print(type(nn.Linear(1, 1).eval()).__name__)"),
    (
        "Dropout.forward replaced",
        "nn.Dropout.forward = lambda self, x: x * 0",
        "print(nn.Dropout(0.5).eval()(torch.ones(1)).item())",
    ),
    ("SGD.step removed", "torch.optim.SGD.step = None", "print(torch.optim.SGD.step is not None)"),
    # Private base classes.
    (
        "_DropoutNd.__init__ patched",
        "from torch.nn.modules import dropout\n"
        "orig = dropout._DropoutNd.__init__\n"
        "dropout._DropoutNd.__init__ = lambda self, p=0.5, inplace=False: orig(self, 0.0, inplace)",
        "print(nn.Dropout(0.5).p)",
    ),
    (
        "_BatchNorm.forward patched",
        "from torch.nn.modules import batchnorm\nbatchnorm._BatchNorm.forward = lambda self, x: x * 0 + 7",
        "print(nn.BatchNorm1d(1).eval()(torch.ones(2, 1)).sum().item())",
    ),
    # Functions changed in place.
    ("F.dropout __defaults__", "F.dropout.__defaults__ = (0.0, False, False)", "print(F.dropout.__defaults__)"),
    (
        "F.relu __code__",
        "F.relu.__code__ = (lambda input, inplace=False: input * 0 - 1).__code__",
        "print(F.relu(torch.tensor([2.0])).tolist())",
    ),
    # Grad machinery.
    (
        "no_grad.__enter__ replaced",
        "torch.no_grad.__enter__ = lambda self: None",
        "with torch.no_grad():\n    print(torch.is_grad_enabled())",
    ),
    (
        "autograd.backward replaced",
        "torch.autograd.backward = lambda *a, **k: None",
        "w = torch.ones(1, requires_grad=True)\n(w * 2).sum().backward()\nprint(w.grad)",
    ),
    (
        "_VF.dropout replaced",
        "torch._VF.dropout = lambda x, p, train: x * 0",
        "print(F.dropout(torch.ones(2), 0.5, training=False).tolist())",
    ),
    ("grad mode off", "torch.set_grad_enabled(False)", "print(torch.is_grad_enabled())"),
    (
        "inference mode left on",
        "cm = torch.inference_mode()\ncm.__enter__()\nimport builtins\nbuiltins._keep = cm",
        "print(torch.is_inference_mode_enabled())",
    ),
    ("anomaly mode", "torch.set_anomaly_enabled(True)", "print(torch.is_anomaly_enabled())"),
    (
        "deterministic algorithms",
        "torch.use_deterministic_algorithms(True)",
        "print(torch.are_deterministic_algorithms_enabled())",
    ),
    # Hooks and modes.
    (
        "global forward hook",
        "import builtins\nbuiltins._h = nn.modules.module.register_module_forward_hook(lambda m, i, o: o * 0)",
        "print(nn.Linear(1, 1, bias=False)(torch.ones(1, 1)).abs().sum().item() > 0)",
    ),
    (
        "saved_tensors_hooks pushed",
        "import builtins\n"
        "builtins._cm = torch.autograd.graph.saved_tensors_hooks(lambda t: t * 0, lambda t: t)\n"
        "builtins._cm.__enter__()",
        "w = torch.ones(1, requires_grad=True)\n(w * w).sum().backward()\nprint(w.grad.tolist())",
    ),
    (
        "TorchFunctionMode entered",
        "from torch.overrides import TorchFunctionMode\n"
        "class Zero(TorchFunctionMode):\n"
        "    def __torch_function__(self, func, types, args=(), kwargs=None):\n"
        "        return torch.zeros(1) if func is torch.add else func(*args, **(kwargs or {}))\n"
        "import builtins\nbuiltins._mode = Zero()\nbuiltins._mode.__enter__()",
        "print(torch.add(torch.ones(1), 1).tolist())",
    ),
    (
        "TorchDispatchMode entered",
        "from torch.utils._python_dispatch import TorchDispatchMode\n"
        "class Log(TorchDispatchMode):\n"
        "    def __torch_dispatch__(self, func, types, args=(), kwargs=None):\n"
        "        print('dispatch', func)\n"
        "        return func(*args, **(kwargs or {}))\n"
        "import builtins\nbuiltins._mode = Log()\nbuiltins._mode.__enter__()",
        "print((torch.ones(1) * 3).tolist())",
    ),
    (
        "torch.library kernel override",
        "import builtins\n"
        "builtins._lib = torch.library.Library('aten', 'IMPL')\n"
        "builtins._lib.impl('mul.Tensor', lambda a, b: torch.zeros_like(a), 'CPU')",
        "print((torch.ones(2) * 3).tolist())",
    ),
    # Torch flags outside any list.
    (
        "flush denormal",
        "torch.set_flush_denormal(True)",
        "print(torch.tensor([1e-39], dtype=torch.float32).item() != 0)",
    ),
    (
        "autograd multithreading",
        "torch.autograd.set_multithreading_enabled(False)",
        "print(torch.autograd.is_multithreading_enabled())",
    ),
    ("mkldnn off", "torch.backends.mkldnn.enabled = False", "print(torch.backends.mkldnn.enabled)"),
    ("default dtype", "torch.set_default_dtype(torch.float64)", "print(torch.get_default_dtype())"),
    ("default device", "torch.set_default_device('meta')", "print(torch.ones(1).device)"),
    ("threads", "torch.set_num_threads(1)", "print(torch.get_num_threads() > 1 or __import__('os').cpu_count() == 1)"),
    ("print options", "torch.set_printoptions(precision=1)", "print(torch.tensor([0.123456]))"),
    ("matmul precision", "torch.set_float32_matmul_precision('medium')", "print(torch.get_float32_matmul_precision())"),
    ("random stream", "torch.rand(100)", "print(torch.rand(2).tolist())"),
    # The interpreter.
    ("recursion limit", "import sys\nsys.setrecursionlimit(60)", "import sys\nprint(sys.getrecursionlimit())"),
    ("settrace", "import sys\nsys.settrace(lambda *a: None)", "import sys\nprint(sys.gettrace())"),
    ("sys.modules entry", "import sys\nsys.modules['json'] = None", "import json\nprint(json.dumps([1]))"),
    ("gc.callbacks", "import gc\ngc.callbacks.append(lambda *a: print('gc!'))", "import gc\nprint(len(gc.callbacks))"),
    ("gc.disable", "import gc\ngc.disable()", "import gc\nprint(gc.isenabled())"),
    ("os.environ", "import os\nos.environ['QUIZ_LEFTOVER'] = '1'", "import os\nprint(os.environ.get('QUIZ_LEFTOVER'))"),
    ("working directory", "import os\nos.chdir('/')", "import os\nprint(os.getcwd() != '/')"),
    ("builtins.len", "import builtins\nbuiltins.len = lambda x: 42", "print(len([1]))"),
    (
        "numpy print options",
        "import numpy as np\nnp.set_printoptions(precision=1)",
        "import numpy as np\nprint(np.array([0.123456]))",
    ),
    ("a global name", "import builtins\nbuiltins.model = 'leftover'", "print('model' in dir(__import__('builtins')))"),
]


@pytest.mark.parametrize(("change", "probe"), [(c, p) for _, c, p in LEFTOVERS], ids=[w for w, _, _ in LEFTOVERS])
def test_a_change_never_reaches_the_next_snippet(runner: SnippetRunner, change: str, probe: str) -> None:
    before = runner.run(probe)
    assert before.ran, before.text
    together = runner.run(change + "\n" + probe)
    assert together.text != before.text, "the probe must detect the change within one snippet"
    assert runner.run(change).status in ("ok", "error")
    after = runner.run(probe)
    assert after.text == before.text


def test_there_are_at_least_thirty_kinds_of_leftover_state() -> None:
    assert len(LEFTOVERS) >= 30


def test_a_thread_that_prints_or_patches_later_is_gone(runner: SnippetRunner) -> None:
    change = textwrap.dedent(
        """\
        import threading, time
        def later():
            time.sleep(0.3)
            print('ghost')
            torch.is_grad_enabled = lambda: 'patched'
        threading.Thread(target=later, daemon=True).start()
        """
    )
    assert runner.run(change).ran
    probe = runner.run("import time\ntime.sleep(0.6)\nprint(torch.is_grad_enabled())")
    assert probe.text == "True\n"


def test_a_pending_alarm_does_not_kill_the_next_snippet(runner: SnippetRunner) -> None:
    assert runner.run("import signal\nsignal.alarm(1)").ran
    probe = runner.run("import time\ntime.sleep(1.5)\nprint('alive')", timeout=5)
    assert (probe.status, probe.text) == ("ok", "alive\n")


def test_a_signal_handler_does_not_outlive_its_snippet(runner: SnippetRunner) -> None:
    assert runner.run("import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)").ran
    probe = runner.run("import signal\nprint(signal.getsignal(signal.SIGALRM) == signal.SIG_DFL)")
    assert probe.text == "True\n"


def test_every_snippet_runs_in_a_process_of_its_own(runner: SnippetRunner) -> None:
    pids = {runner.run("import os\nprint(os.getpid())").text for _ in range(5)}
    assert len(pids) == 5


PATCHER = """\
id: patcher
title: A bank whose snippet patches no_grad and Dropout
questions:
  - id: patch
    type: predict
    prompt: p
    snippet: |
      torch.no_grad.__enter__ = lambda self: None
      nn.Dropout.forward = lambda self, x: x
      torch.set_grad_enabled(False)
      print('patched')
    answer: patched
    explanation: x
"""

HONEST = """\
id: honest
title: An honest bank
questions:
  - id: no-grad
    type: predict
    prompt: p
    snippet: |
      w = torch.ones(2, requires_grad=True)
      with torch.no_grad():
          y = w * 2
      print(y.requires_grad, torch.is_grad_enabled())
    answer: False True
    explanation: x
  - id: dropout
    type: predict
    prompt: p
    snippet: |
      print(bool((nn.Dropout(0.5)(torch.ones(1000)) == 0).any()))
    answer: "True"
    explanation: x
"""


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_bank_verdict_does_not_depend_on_the_banks_checked_with_it(tmp_path: Path, jobs: int) -> None:
    (tmp_path / "a_patcher.yaml").write_text(PATCHER, encoding="utf-8")
    (tmp_path / "b_honest.yaml").write_text(HONEST, encoding="utf-8")
    (tmp_path / "c_patcher.yaml").write_text(PATCHER.replace("id: patcher", "id: patcher-two"), encoding="utf-8")
    alone = check([tmp_path / "b_honest.yaml"], device="cpu", jobs=1)
    together = check([tmp_path], device="cpu", jobs=jobs)
    assert alone.ok and together.ok, [str(p) for p in alone.problems + together.problems]
    honest = {proof.question: proof.key for proof in together.proofs if proof.bank == "honest"}
    assert honest == {proof.question: proof.key for proof in alone.proofs} == {"no-grad": "proven", "dropout": "proven"}
