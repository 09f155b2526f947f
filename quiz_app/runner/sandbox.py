"""Guards for the process that runs one snippet: what a bank's code may touch.

Applied in each snippet process right after it is forked, before it reports ready, so they
cost nothing on the way from a submitted answer to its outcome:

- **box** (Linux, user namespaces; :mod:`quiz_app.runner.box`): its own file tree (the read
  roots read-only, the scratch folder and ``/dev/shm`` on a tmpfs of its own, counted as its
  memory), its own network and IPC namespaces, no capability.
- **syscalls** (Linux, seccomp; :mod:`quiz_app.runner.syscalls`): sockets other than Unix ones,
  namespaces, mounts, other processes, the kernel's own business, uncounted shared memory.
- **files** (Linux, Landlock ABI 1+): reads only where Python and torch live (the interpreter's
  prefixes, ``sys.path``, the system library folders), ``/proc/self``, a few device nodes, and
  the snippet's own scratch folder, which is also the only place it may write.
- **network** (Landlock ABI 4+): TCP connect and bind are refused.
- **signals** (Landlock ABI 6+): no signal to a process outside the snippet's own.
- **environment**: the zygote already runs with a minimal environment (``minimal_env``);
  ``HOME`` and ``TMPDIR`` point into the scratch folder.
- **limits** (POSIX): CPU time, file size and open files (``setrlimit``); memory is watched by
  the app (resident size) so that the outcome can say "it used more than 4 GiB".

Landlock is called through ``ctypes`` (three system calls); where it is missing the guard is
reported as missing, never pretended.
"""

from __future__ import annotations

import ctypes
import functools
import os
import signal
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from quiz_app.core.i18n import N_, _
from quiz_app.runner import box, syscalls

# Environment variables a snippet process keeps: what Python, torch and the GPU stack read.
_KEEP_EXACT = {
    "PATH",
    "LANG",
    "LANGUAGE",
    "TZ",
    "PYTHONPATH",
    "PYTHONHASHSEED",
    "LD_LIBRARY_PATH",
    "SYSTEMROOT",
    "USER",
    "LOGNAME",
    "USERNAME",  # getpass.getuser(): torch.compile names its caches after the user
}
_KEEP_PREFIXES = ("LC_", "OMP_", "MKL_", "OPENBLAS_", "KMP_", "GOMP_", "CUDA_", "NVIDIA_", "PYTORCH_", "HIP_", "ROCR_")

KILL = getattr(signal, "SIGKILL", signal.SIGTERM)  # Windows has no SIGKILL; SIGTERM terminates there

ALL_GUARDS = ("files", "network", "signals", "box", "syscalls", "environment", "limits", "memory")
SANDBOX_GUARDS = ("files", "network", "signals", "box", "syscalls", "limits")  # those --no-sandbox turns off

# Landlock constants (linux/landlock.h).
_SYS_CREATE, _SYS_ADD_RULE, _SYS_RESTRICT = 444, 445, 446
_CREATE_VERSION = 1
_RULE_PATH_BENEATH, _RULE_NET_PORT = 1, 2
_FS_EXECUTE, _FS_WRITE, _FS_READ_FILE, _FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_FS_TRUNCATE, _FS_IOCTL_DEV = 1 << 14, 1 << 15
_FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1, 5: (1 << 16) - 1}
_NET_ALL = (1 << 0) | (1 << 1)  # bind and connect, TCP
_SCOPE_ALL = (1 << 0) | (1 << 1)  # abstract Unix sockets and signals
_PR_SET_NO_NEW_PRIVS = 38
_FILE_ONLY = _FS_EXECUTE | _FS_WRITE | _FS_READ_FILE | _FS_TRUNCATE | _FS_IOCTL_DEV


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def minimal_env(environ: Mapping[str, str], home: str) -> dict[str, str]:
    """The environment a snippet sees: what torch needs, nothing else (no tokens, no keys)."""
    kept = {k: v for k, v in environ.items() if k in _KEEP_EXACT or k.startswith(_KEEP_PREFIXES)}
    kept.update(HOME=home, TMPDIR=home, TEMP=home, TMP=home, PYTHONDONTWRITEBYTECODE="1")
    return kept


@functools.cache
def linux_libc() -> ctypes.CDLL | None:
    """The C library through ``ctypes``, on Linux only (None elsewhere, or if it cannot load)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36


def die_with_parent(signum: int, parent: int) -> bool:
    """Linux: the kernel sends ``signum`` to this process when the thread that started it ends,
    even killed. False when ``parent`` had already ended before that was set (this process is an
    orphan already); True otherwise, also where there is no such guard (not Linux)."""
    libc = linux_libc()
    if libc is None:
        return True
    libc.prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0)
    return os.getppid() == parent


def become_subreaper() -> None:
    """Linux: orphans of this process's descendants become its children, for it to reap."""
    libc = linux_libc()
    if libc is not None:
        libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def landlock_abi() -> int:
    """The Landlock ABI version this kernel offers, 0 where there is none."""
    libc = linux_libc()
    if libc is None:
        return 0
    version = libc.syscall(_SYS_CREATE, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_VERSION))
    return max(int(version), 0)


def available() -> tuple[list[str], dict[str, str]]:
    """The guards this machine can put in force, and why each missing one is missing. The
    first call tries a box for real (about 20 ms, once per process)."""
    guards, missing = _available()  # the reasons cached in English, translated when asked for
    return list(guards), {guard: _(why).format(detail=detail) for guard, (why, detail) in missing}


@functools.cache  # the kernel and the platform do not change under a running app
def _available() -> tuple[tuple[str, ...], tuple[tuple[str, tuple[str, str]], ...]]:
    abi = landlock_abi()
    linux = sys.platform.startswith("linux")
    missing: dict[str, tuple[str, str]] = {}  # guard: (message, its {detail})
    if abi < 1:
        missing["files"] = (N_("no Landlock on this system (Linux 5.13 or newer)"), "") if linux else (sys.platform, "")
    if abi < 4:
        missing["network"] = (N_("needs Landlock ABI 4 (Linux 6.7)"), "") if abi else missing["files"]
    if abi < 6:
        missing["signals"] = (N_("needs Landlock ABI 6 (Linux 6.12)"), "") if abi else missing["files"]
    if not linux:
        missing["box"] = missing["syscalls"] = (sys.platform, "")
    else:
        why = box.probe()
        if why:
            missing["box"] = (N_("this system refuses a private file tree and network ({detail})"), why)
        why = syscalls.missing_reason()
        if why:
            missing["syscalls"] = (N_("no system-call filter here ({detail})"), why)
    if os.name != "posix":
        missing["limits"] = (N_("no setrlimit on this system"), "")
    if not Path("/proc/self/statm").exists():
        missing["memory"] = (N_("no /proc to measure a snippet's memory"), "")
    return tuple(guard for guard in ALL_GUARDS if guard not in missing), tuple(missing.items())


def expected_guards(enabled: bool = True) -> tuple[str, ...]:
    """The guards a snippet process will have here: all available ones, or, with the sandbox
    turned off, only the minimal environment and the memory watch."""
    guards, _ = available()
    if not enabled:
        guards = [guard for guard in guards if guard not in SANDBOX_GUARDS]
    return tuple(guards)


# The package's own folder: in a checkout (an editable install) its parent, on sys.path, is the
# whole repository, of which a snippet is shown only the package.
PACKAGE = str(Path(__file__).resolve().parents[1])
CUDA_READS = ("/proc/driver/nvidia", "/sys/bus/pci", "/sys/devices")


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def reconcile(ready: Mapping[str, Any], enabled: bool) -> tuple[tuple[str, ...], dict[str, str], str]:
    """A ready snippet process's guards, the missing ones with why, and, in words, those this
    machine has (``expected_guards``: what the trust gate decides with) that it did not put up."""
    guards = tuple(str(guard) for guard in ready.get("guards", ()))
    missing = {str(guard): str(why) for guard, why in dict(ready.get("missing") or {}).items()}
    unmet = [guard for guard in expected_guards(enabled) if guard not in guards and guard != "memory"]
    reasons = "; ".join(f"{guard}: {missing.get(guard, 'it did not go up')}" for guard in unmet)
    _, absent = available()
    missing.update({guard: why for guard, why in absent.items() if guard not in guards})
    if not enabled:
        missing = {guard: "turned off" for guard in ALL_GUARDS if guard not in guards}
    return guards, missing, reasons


def _read_roots(extra: Iterable[str]) -> list[str]:
    """What a snippet may read: Python (its prefixes and ``sys.path``), the system library
    folders, a few files of ``/etc``, ``/proc`` and ``/sys`` that torch reads, and ``extra``.
    A folder on ``sys.path`` that holds this package but lies outside the prefixes (a checkout)
    is shown as the package alone."""
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    roots = set(prefixes)
    checkout = os.path.dirname(PACKAGE)
    for entry in sys.path:
        if not entry:
            continue
        if _inside(PACKAGE, entry) and not any(_inside(entry, prefix) for prefix in prefixes):
            roots.add(PACKAGE if os.path.realpath(entry) == os.path.realpath(checkout) else entry)
        else:
            roots.add(entry)
    roots.update(("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/local/lib", "/usr/share", "/usr/libexec"))
    roots.update(("/etc/ld.so.cache", "/etc/localtime", "/proc/cpuinfo", "/proc/meminfo", "/proc/stat"))
    roots.update(("/sys/devices/system/cpu", "/sys/fs/cgroup", "/dev/urandom", "/dev/random"))
    roots.update(extra)
    return sorted(root for root in roots if os.path.exists(root))


def _cuda_nodes() -> list[str]:
    return [str(node) for node in sorted(Path("/dev").glob("nvidia*")) + [Path("/dev/dri")] if node.exists()]


def box_plan(config: Mapping[str, Any]) -> box.Plan | None:
    """The box of the snippet processes a runner's ``config`` asks for (None: no box here, or
    the sandbox is off). Worked out once per zygote (about 1 ms)."""
    if not config.get("sandbox", True) or box.unsupported():
        return None
    cuda = config.get("device", "auto") != "cpu" and bool(_cuda_nodes())
    reads = _read_roots(CUDA_READS if cuda else ())
    devices = [*box.DEVICES, *(_cuda_nodes() if cuda else ())]
    return box.plan(reads, int(config.get("memory", 4 * 2**30)), str(config["scratch"]), devices)


def _add_path(libc: ctypes.CDLL, ruleset: int, path: str, access: int, handled: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not os.path.isdir(path):
            access &= _FILE_ONLY
        attr = _PathBeneath(access & handled, fd)
        libc.syscall(_SYS_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(_RULE_PATH_BENEATH), ctypes.byref(attr), 0)
    finally:
        os.close(fd)


def restrict_files(scratch: str, cuda: bool) -> list[str]:
    """Landlock this process: read where Python lives, write only in ``scratch``. Returns the
    guards now in force (files, network, signals), or [] where Landlock is missing."""
    libc = linux_libc()
    abi = landlock_abi()
    if libc is None or abi < 1:
        return []
    handled_fs = _FS_BY_ABI.get(abi, (1 << 16) - 1)
    attr = _RulesetAttr(handled_fs, _NET_ALL if abi >= 4 else 0, _SCOPE_ALL if abi >= 6 else 0)
    size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else (16 if abi >= 4 else 8)
    ruleset = libc.syscall(_SYS_CREATE, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        return []
    try:
        read = _FS_EXECUTE | _FS_READ_FILE | _FS_READ_DIR
        device = _FS_READ_FILE | _FS_WRITE | _FS_IOCTL_DEV
        for root in _read_roots(CUDA_READS if cuda else ()):
            _add_path(libc, ruleset, root, read, handled_fs)
        _add_path(libc, ruleset, "/proc/self", read, handled_fs)
        _add_path(libc, ruleset, "/dev/null", _FS_READ_FILE | _FS_WRITE, handled_fs)
        # Shared memory: DataLoader workers hand tensors back through it (files unlinked at once).
        _add_path(libc, ruleset, "/dev/shm", handled_fs & ~_FS_EXECUTE, handled_fs)
        if cuda:
            for node in _cuda_nodes():
                _add_path(libc, ruleset, node, device, handled_fs)
        _add_path(libc, ruleset, scratch, handled_fs, handled_fs)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return []
        if libc.syscall(_SYS_RESTRICT, ctypes.c_int(ruleset), 0) != 0:
            return []
    finally:
        os.close(ruleset)
    guards = ["files"]
    if abi >= 4:
        guards.append("network")
    if abi >= 6:
        guards.append("signals")
    return guards


def set_limits(cpu_seconds: int, file_bytes: int = 256 * 2**20, open_files: int = 1024) -> bool:
    """CPU time, file size and open files for this process and what it starts."""
    try:
        import resource
        import signal
    except ImportError:
        return False
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write raises OSError instead of killing
    for limit, value in (
        (resource.RLIMIT_CPU, cpu_seconds),
        (resource.RLIMIT_FSIZE, file_bytes),
        (resource.RLIMIT_NOFILE, open_files),
    ):
        soft, hard = resource.getrlimit(limit)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        try:
            resource.setrlimit(limit, (value, hard))
        except (ValueError, OSError):
            return False
    return True


def kill_group(pid: int) -> None:
    """SIGKILL a snippet process and the process group it leads (what it started stays in it).
    (Windows: the process alone, terminated.)"""
    for kill in (getattr(os, "killpg", None), os.kill):
        if kill is None:
            continue
        try:
            kill(pid, KILL)
        except OSError:
            pass


def resident_bytes(pid: int) -> int | None:
    """The resident memory of a process (Linux), or None where it cannot be read."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as stream:
            return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None
