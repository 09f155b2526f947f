"""One snippet process: forked by the zygote, it runs exactly one snippet and exits.

Everything a snippet can change (patched classes, grad mode, threads, signal handlers, alarms,
hooks, modes, ``sys.modules``, the environment) ends with this process, so isolation holds by
construction, not by a list of things put back.
"""

from __future__ import annotations

import builtins
import io
import os
import random
import signal
import tempfile
import time
import warnings
from contextlib import redirect_stderr, redirect_stdout
from typing import Any, NoReturn

from quiz_app.runner import box, protocol, sandbox, syscalls
from quiz_app.runner.protocol import EXCEPTION_LIMIT, HOLDS_ERROR_LIMIT, OUTPUT_LIMIT
from quiz_app.runner.refusals import Watch


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
    return device


def _error_text(error: BaseException, limit: int) -> str:
    try:
        text = str(error)
    except BaseException:  # noqa: BLE001 - a __str__ that raises is still an outcome
        text = f"<{type(error).__name__} whose message could not be read>"
    return text[:limit] + ("…" if len(text) > limit else "")


def seed(torch: Any, device: Any) -> None:
    """``torch.manual_seed(0)`` for the generators this process can use. (On a build without
    CUDA, ``manual_seed`` also queues a lazy CUDA seed and records a stack trace for it, which
    costs about 0.7 ms of a 2 ms round trip.)"""
    torch.default_generator.manual_seed(0)
    if device.type == "cuda":
        torch.cuda.manual_seed_all(0)
    elif device.type == "mps":
        torch.mps.manual_seed(0)


def run(torch: Any, device: Any, request: dict[str, Any], watch: Watch | None = None) -> dict[str, Any]:
    """Run the bank's setup, the snippet, then each ``holds`` expression, in one namespace.
    ``watch``: what the snippet's last guarded call was, to name the guard that refused it."""
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
    stopped_by = ""
    start = time.perf_counter()
    with redirect_stdout(out), redirect_stderr(err), warnings.catch_warnings():
        # As Python does for __main__: every warning once per place, but deprecations only where
        # the snippet itself calls something deprecated, not where torch uses its own old parts
        # (those differ from one torch version to the next, and are no lesson).
        warnings.simplefilter("default")
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=PendingDeprecationWarning)
        warnings.filterwarnings("default", category=DeprecationWarning, module="__snippet__")
        if device.type == "cpu":
            # On a machine with a GPU, autograd still probes CUDA, which the sandbox keeps out of
            # reach of a CPU snippet; the driver's complaint about it is no part of the outcome.
            warnings.filterwarnings("ignore", message="CUDA initialization", category=UserWarning)
        try:
            seed(torch, device)
            random.seed(0)
            if request.get("setup"):
                exec(compile(request["setup"], "<setup>", "exec"), namespace)
            exec(compile(request["code"], "<snippet>", "exec"), namespace)
        except BaseException as error:  # noqa: BLE001 - a snippet's exception is its outcome
            exc_type, exc_message = type(error).__name__, _error_text(error, EXCEPTION_LIMIT)
            stopped_by = watch.guard(error, request.get("guards", ())) if watch is not None else ""
    duration = time.perf_counter() - start
    return {
        "id": request.get("id"),
        "stdout": out.getvalue(),
        "stderr": err.getvalue(),
        "exc_type": exc_type,
        "exc_message": exc_message,
        "duration": duration,
        "truncated": budget.truncated,
        "holds": evaluate_holds(request.get("holds") or [], namespace),
        "guard": stopped_by,
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
            results.append([None, f"{type(error).__name__}: {_error_text(error, HOLDS_ERROR_LIMIT)}"])
    return results


class Boxed:
    """What the first step of a snippet process left: its scratch folder, and the box (in force,
    or why it is missing)."""

    def __init__(self, scratch: str, guards: list[str], missing: dict[str, str], shown: tuple[str, ...]) -> None:
        self.scratch = scratch
        self.guards = guards
        self.missing = missing
        self.shown = shown  # what exists in the box, for naming a refusal


def enter_box(config: dict[str, Any], plan: box.Plan | None) -> Boxed:
    """Make this process's scratch folder and, with the sandbox on, put the process in its box.
    First of all: a user namespace can be entered only while the process has one thread.
    Raises ``box.BoxError`` where the box was left half-built."""
    scratch = os.path.join(config["scratch"], str(os.getpid()))
    os.mkdir(scratch, 0o700)
    if not config.get("sandbox", True) or plan is None:
        return Boxed(scratch, [], {}, ())
    try:
        box.enter(plan, scratch)
    except box.BoxError as error:
        if error.started:
            raise
        return Boxed(scratch, [], {"box": str(error)}, ())
    return Boxed(scratch, ["box"], {}, plan.shown())


def guard(scratch: str, cuda: bool, config: dict[str, Any], program: bytes | None) -> tuple[list[str], dict[str, str]]:
    """The guards put up once the device is ready: files, network and signals (Landlock), the
    limits, then the system-call filter (last: it refuses what the others' set-up needs)."""
    guards = sandbox.restrict_files(scratch, cuda=cuda)
    missing: dict[str, str] = {}
    if sandbox.set_limits(int(float(config.get("cpu_seconds", 600)))):
        guards.append("limits")
    try:
        syscalls.load(program)
        guards.append("syscalls")
    except OSError as error:
        missing["syscalls"] = str(error)
    return guards, missing


def serve(
    torch: Any,
    conn: protocol.Channel,
    config: dict[str, Any],
    parent: int,
    plan: box.Plan | None = None,
    program: bytes | None = None,
    boxed: Boxed | None = None,
) -> NoReturn:
    """The life of one snippet process: get ready, report, run one request, reply, exit.
    ``plan`` and ``program``: its box and its system-call filter, worked out once by the zygote;
    ``boxed``: a spawned process enters its box itself, before it imports torch."""
    code = 0
    try:
        if not sandbox.die_with_parent(sandbox.KILL, parent):  # the zygote or app ended before that was set
            os._exit(1)
        if hasattr(os, "setpgid") and os.getpgid(0) != os.getpid():  # a spawned one leads its own already
            os.setpgid(0, 0)  # its own process group: the app ends the snippet and all it started at once
        for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGCHLD"):
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), signal.SIG_DFL)
        try:
            boxed = boxed or enter_box(config, plan)
        except box.BoxError as error:
            protocol.send(conn, {"ready": False, "error": f"the snippet's box could not be put up: {error}"})
            os._exit(0)
        if config.get("threads"):
            torch.set_num_threads(int(config["threads"]))
        try:
            device = pick_device(torch, config.get("device", "auto"))
            if device.type != "cpu":
                torch.empty(1, device=device)  # this process's own CUDA/MPS context, made while it waits
            name = torch.cuda.get_device_name(device) if device.type == "cuda" else device.type
        except BaseException as error:  # noqa: BLE001 - reported to the app, which explains it
            protocol.send(conn, {"ready": False, "error": f"{type(error).__name__}: {_error_text(error, 500)}"})
            os._exit(0)
        # A rehearsal: pages touched, and on a GPU the commonest kernels loaded, now, not on the clock.
        rehearsal = "(torch.ones(2, device=device) * 2).sum().item()" if device.type != "cpu" else "pass"
        run(torch, device, {"code": rehearsal, "holds": ["True"]})
        scratch = boxed.scratch
        os.chdir(scratch)
        environment = sandbox.minimal_env(dict(os.environ), scratch)  # the zygote's, already minimal
        if device.type == "cpu":
            # --device cpu: CUDA stays out of sight (its device nodes are not in the sandbox either),
            # so a snippet that asks torch.cuda gets "not available", not an error from the driver.
            environment["CUDA_VISIBLE_DEVICES"] = ""
        os.environ.clear()
        os.environ.update(environment)
        # The zygote's imports (torch._dynamo) asked tempfile for its folder, the zygote's own:
        # this process finds its own again (TMPDIR, its scratch folder).
        tempfile.tempdir = None
        guards, missing = ["environment", *boxed.guards], dict(boxed.missing)
        if config.get("sandbox", True):
            more, lacking = guard(scratch, device.type == "cuda", config, program)
            guards += more
            missing.update(lacking)
        watch = Watch(boxed.shown, scratch)
        watch.install()
        protocol.send(
            conn,
            {
                "ready": True,
                "pid": os.getpid(),
                "device": str(device),
                "device_name": name,
                "torch": torch.__version__,
                "guards": guards,
                "missing": missing,
            },
        )
        request = protocol.receive(conn)
        request["guards"] = guards
        table = vars(builtins)
        kept = dict(table)  # the reply below must not trip over a snippet's `builtins.len = ...`
        watch.clear()
        reply = run(torch, device, request, watch)
        for name in [name for name in table if name not in kept]:
            del table[name]
        table.update(kept)
        protocol.send(conn, reply)
    except BaseException:  # noqa: BLE001 - the app sees the closed channel and says so
        code = 70
    finally:
        os._exit(code)
