"""The warm worker: a child process that imports torch once and runs snippets on request.

It speaks length-prefixed JSON messages over two pipes whose descriptors it gets on its
command line, so that nothing a snippet prints can garble the protocol. Run by
:class:`quiz_app.runner.client.SnippetRunner`; not meant to be started by hand.
"""

from __future__ import annotations

import builtins
import gc
import io
import json
import os
import random
import sys
import threading
import time
import traceback
import warnings
from contextlib import redirect_stderr, redirect_stdout
from multiprocessing.connection import Connection
from typing import Any

OUTPUT_LIMIT = 20_000


class _Budget:
    def __init__(self, limit: int) -> None:
        self.left = limit
        self.truncated = False


class _Capture(io.TextIOBase):
    """A text stream that keeps what is written up to a budget shared with its twin."""

    def __init__(self, budget: _Budget) -> None:
        self._parts: list[str] = []
        self._budget = budget

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        keep = text[: max(self._budget.left, 0)]
        if len(keep) < len(text):
            self._budget.truncated = True
        self._budget.left -= len(keep)
        if keep:
            self._parts.append(keep)
        return len(text)

    def getvalue(self) -> str:
        return "".join(self._parts)


def pick_device(torch: Any, requested: str) -> Any:
    """CUDA if available, else MPS, else the CPU; or the device asked for, if it exists here."""
    mps = getattr(torch.backends, "mps", None)
    mps_ok = bool(mps and mps.is_available())
    if requested == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        return torch.device("mps") if mps_ok else torch.device("cpu")
    device = torch.device(requested)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(
            f"CUDA is not available here (torch {torch.__version__}, built with CUDA {torch.version.cuda})"
        )
    if device.type == "mps" and not mps_ok:
        raise RuntimeError("Apple's MPS device is not available here")
    torch.empty(1, device=device)  # fails now, clearly, rather than in the first snippet
    return device


class _State:
    """Global state a snippet may change, captured once and put back after every snippet."""

    def __init__(self, torch: Any) -> None:
        self.torch = torch
        self.values = self._read()
        self.objects: list[Any] = [builtins, torch, torch.nn, torch.nn.functional, torch.optim, torch.Tensor]
        # Every layer and optimizer class too: `nn.Dropout.forward = ...` must not outlive its snippet.
        for namespace in (torch.nn, torch.optim):
            self.objects += [obj for obj in vars(namespace).values() if isinstance(obj, type)]
        self.attributes = [dict(vars(obj)) for obj in self.objects]
        self.cwd = os.getcwd()
        self.sys_path = list(sys.path)

    def _read(self) -> dict[str, Any]:
        torch = self.torch
        return {
            "grad": torch.is_grad_enabled(),
            "inference": torch.is_inference_mode_enabled(),
            "dtype": torch.get_default_dtype(),
            "device": str(torch.get_default_device()),
            "anomaly": (torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled()),
            "threads": torch.get_num_threads(),
            "deterministic": (
                torch.are_deterministic_algorithms_enabled(),
                torch.is_deterministic_algorithms_warn_only_enabled(),
            ),
            "cudnn": (torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic),
            "matmul": torch.get_float32_matmul_precision(),
        }

    def restore(self) -> bool:
        """Put everything back. False if something could not be, and the worker must restart."""
        torch = self.torch
        base = self.values
        for obj, attributes in zip(self.objects, self.attributes, strict=True):
            current = vars(obj)
            for name, value in attributes.items():
                if current.get(name, _State) is not value:
                    setattr(obj, name, value)
        torch.set_grad_enabled(base["grad"])
        torch.set_default_dtype(base["dtype"])
        if str(torch.get_default_device()) != base["device"]:
            torch.set_default_device(None)
        torch.set_anomaly_enabled(*base["anomaly"])
        torch.set_num_threads(base["threads"])
        torch.use_deterministic_algorithms(base["deterministic"][0], warn_only=base["deterministic"][1])
        torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic = base["cudnn"]
        torch.set_float32_matmul_precision(base["matmul"])
        torch.set_printoptions(profile="default")
        if os.getcwd() != self.cwd:
            os.chdir(self.cwd)
        sys.path[:] = self.sys_path
        if torch.is_inference_mode_enabled() != base["inference"]:
            gc.collect()  # an inference_mode guard held by a dropped object ends when it is freed
        return self._read() == base


def run_snippet(
    torch: Any, device: Any, state: _State, setup: str, code: str, holds: list[str] | None = None
) -> dict[str, Any]:
    budget = _Budget(OUTPUT_LIMIT)
    out, err = _Capture(budget), _Capture(budget)
    namespace: dict[str, Any] = {
        "__name__": "__snippet__",
        "__builtins__": builtins,
        "torch": torch,
        "nn": torch.nn,
        "F": torch.nn.functional,
        "device": device,
    }
    exc_type = exc_message = None
    start = time.perf_counter()
    with redirect_stdout(out), redirect_stderr(err), warnings.catch_warnings():
        warnings.simplefilter("default")
        try:
            torch.manual_seed(0)
            random.seed(0)
            if setup:
                exec(compile(setup, "<setup>", "exec"), namespace)
            exec(compile(code, "<snippet>", "exec"), namespace)
        except BaseException as error:  # noqa: BLE001 - a snippet's exception is its outcome
            exc_type, exc_message = type(error).__name__, str(error)
    duration = time.perf_counter() - start
    truths = evaluate_holds(holds or [], namespace)
    namespace.clear()
    del namespace
    clean = state.restore()
    return {
        "stdout": out.getvalue(),
        "stderr": err.getvalue(),
        "exc_type": exc_type,
        "exc_message": exc_message,
        "duration": duration,
        "truncated": budget.truncated,
        "restart": not clean,
        "holds": truths,
    }


def evaluate_holds(expressions: list[str], namespace: dict[str, Any]) -> list[list[Any]]:
    """Each expression's truth in the snippet's namespace: [True/False, None] or [None, error]."""
    results: list[list[Any]] = []
    sink = _Capture(_Budget(0))
    for expression in expressions:
        try:
            with redirect_stdout(sink), redirect_stderr(sink):
                value = bool(eval(compile(expression, "<holds>", "eval"), namespace))
            results.append([value, None])
        except BaseException as error:  # noqa: BLE001 - reported by check at its choice
            results.append([None, f"{type(error).__name__}: {str(error)[:500]}"])
    return results


def _watch_parent(parent: int) -> None:
    """End this process if the app that started it goes away, even mid-snippet."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(0)


def main(argv: list[str]) -> int:
    requests = Connection(int(argv[0]), writable=False)
    replies = Connection(int(argv[1]), readable=False)
    requested = argv[2] if len(argv) > 2 else "auto"
    parent = int(argv[3]) if len(argv) > 3 else os.getppid()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()

    def send(message: dict[str, Any]) -> None:
        replies.send_bytes(json.dumps(message).encode("utf-8"))

    try:
        import torch

        if len(argv) > 4 and int(argv[4]) > 0:
            torch.set_num_threads(int(argv[4]))
        device = pick_device(torch, requested)
        name = torch.cuda.get_device_name(device) if device.type == "cuda" else device.type
    except BaseException as error:  # noqa: BLE001 - reported to the app, which explains it
        send({"hello": False, "error": f"{type(error).__name__}: {error}"})
        return 1
    state = _State(torch)
    send(
        {
            "hello": True,
            "device": str(device),
            "device_name": name,
            "torch": torch.__version__,
            "pid": os.getpid(),
        }
    )
    while True:
        try:
            request = json.loads(requests.recv_bytes())
        except EOFError:
            return 0
        try:
            reply = run_snippet(torch, device, state, request.get("setup") or "", request["code"], request.get("holds"))
        except BaseException:  # noqa: BLE001 - never leave the app waiting
            reply = {"internal": traceback.format_exc(limit=3), "restart": True}
        reply["id"] = request["id"]
        send(reply)
        if reply["restart"]:
            return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
