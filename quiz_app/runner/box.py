"""The box: a snippet process's own view of the machine (Linux namespaces).

Put up right after the fork, while the process still has one thread (a user namespace cannot
be entered later), before its device context and the other guards:

- **its own file tree**: a fresh root that holds only the read roots (the Python installation,
  ``sys.path``, the system library folders, ``/proc``, a few device nodes), each mounted
  read-only, and the scratch folder. Nothing else exists for the snippet: no home folder, no
  ``/run``, no ``/tmp`` but its own, so no pathname Unix socket outside the box can be named
  (ssh-agent, D-Bus, ``docker.sock``), and no file outside the scratch folder can be changed,
  its metadata included (``chmod``, ``chown``, ``utime``, xattrs fail: "read-only file system").
- **its own memory-backed folders**: one ``tmpfs``, of the runner's memory limit's size, holds
  the scratch folder and ``/dev/shm``; the app counts what it holds as the snippet's memory,
  and it ends with the snippet (no other program's segment is in it, none outlives it).
- **its own network namespace** (no interface but a loopback that is down: no route to
  anywhere; abstract Unix sockets and ``/proc/self/net`` hold only its own) and **its own IPC
  namespace** (System V and POSIX message queues end with it).
- **no capability** left afterwards (the user namespace made them; they are dropped once the
  box is up).

Where the kernel refuses (no user namespaces, a multi-threaded process, another architecture)
nothing is changed and the reason is returned; ``available()`` says so before any snippet
runs, by putting a box up in a throw-away process.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import stat
import sys
from collections.abc import Iterable

_CLONE_NEWNS, _CLONE_NEWUSER, _CLONE_NEWNET, _CLONE_NEWIPC = 0x00020000, 0x10000000, 0x40000000, 0x08000000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_REMOUNT, _MS_BIND, _MS_REC = 1, 2, 4, 32, 4096, 16384
_MS_PRIVATE = 1 << 18
_MNT_DETACH = 2
_AT_RECURSIVE = 0x8000
_MOUNT_ATTR_RDONLY = 0x1
_SYS_MOUNT_SETATTR = 442  # the same number on every architecture (Linux 5.12)
_MACHINE = os.uname().machine if hasattr(os, "uname") else ""
# The calls without a C library wrapper everywhere, by architecture (x86-64 and arm64 only).
SYSCALL_NUMBERS = {
    "pivot_root": {"x86_64": 155, "aarch64": 41},
    "capset": {"x86_64": 126, "aarch64": 91},
    "seccomp": {"x86_64": 317, "aarch64": 277},
}
_CAP_VERSION_3 = 0x20080522
_PR_SET_NO_NEW_PRIVS, _PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL = 38, 47, 4
SHM = "/dev/shm"
# Device nodes a snippet may open (the rest of /dev does not exist in the box).
DEVICES = ("/dev/null", "/dev/random", "/dev/urandom")  # as the files guard allows: no /dev/zero (shared mappings)
_DEV_LINKS = {"/dev/fd": "/proc/self/fd", "/dev/stdin": "/proc/self/fd/0", "/dev/stdout": "/proc/self/fd/1"}
_DEV_LINKS["/dev/stderr"] = "/proc/self/fd/2"
_STAGING, _OLD_ROOT = "/.memory", "/.host"  # folders of the new root, empty once it is up


class _MountAttr(ctypes.Structure):
    _fields_ = [
        ("attr_set", ctypes.c_uint64),
        ("attr_clr", ctypes.c_uint64),
        ("propagation", ctypes.c_uint64),
        ("userns_fd", ctypes.c_uint64),
    ]


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


class BoxError(OSError):
    """The box could not be put up; the message says which step the kernel refused. ``started``:
    the namespaces were made (the process is half-boxed)."""

    def __init__(self, code: int, message: str, started: bool = False) -> None:
        super().__init__(code, message)
        self.started = started


class Plan:
    """What a box shows, worked out once (in the zygote) for every snippet process it forks, so
    that putting it up is little more than system calls: the ``folders`` and ``files`` to make in
    the new root (parents first), the ``links`` met on the way to what is shown (``/lib`` →
    ``usr/lib``), the ``binds`` (real paths, none inside another, each mounted read-only), and
    ``memory``, the size of the tmpfs that holds the scratch folder and ``/dev/shm``. Paths are
    bytes, relative to the new root, which is mounted on ``root``, the folder the scratch folders
    are made in (not on a scratch folder: the app removes each one when its snippet is done, and
    removing a folder that is a mount point in another namespace unmounts the whole box there,
    about 3 ms on the way to the outcome)."""

    __slots__ = ("root", "folders", "files", "links", "binds", "memory")

    def __init__(
        self,
        root: bytes,
        folders: tuple[bytes, ...],
        files: tuple[bytes, ...],
        links: tuple[tuple[bytes, bytes], ...],
        binds: tuple[bytes, ...],
        memory: int,
    ) -> None:
        self.root = root
        self.folders = folders
        self.files = files
        self.links = links
        self.binds = binds
        self.memory = memory

    def shown(self) -> tuple[str, ...]:
        """Every path that exists in the box, below the scratch folder's own."""
        return tuple(os.fsdecode(path) for path in (*self.binds, *(link for link, _ in self.links), SHM.encode()))


def plan(reads: Iterable[str], memory: int, scratch_root: str, devices: Iterable[str] = DEVICES) -> Plan:
    """The box for these read roots and device nodes (``/proc`` is always shown), for snippet
    processes whose scratch folders are made in ``scratch_root``. A root that holds
    ``scratch_root`` is left out: the other snippet processes' folders are in it."""
    hidden = os.path.realpath(scratch_root)
    shown = [path for path in [*reads, *devices, "/proc"] if not _inside(hidden, os.path.realpath(path))]
    links: dict[str, str] = {}
    for path in shown:
        if os.path.exists(path):
            _links(path, links)
    binds = _outermost(shown)
    folders = {"/dev", SHM, os.path.abspath(scratch_root), _STAGING, _OLD_ROOT}
    files: set[str] = set()
    for real in binds:
        (folders if os.path.isdir(real) else files).add(real)
    for path in [*files, *folders, *links]:
        parent = os.path.dirname(path)
        while parent not in ("/", ""):
            folders.add(parent)
            parent = os.path.dirname(parent)
    encode = os.fsencode
    return Plan(
        encode(os.path.abspath(scratch_root)),
        tuple(encode(path) for path in sorted(folders)),
        tuple(encode(path) for path in sorted(files)),
        tuple((encode(path), encode(target)) for path, target in {**links, **_DEV_LINKS}.items()),
        tuple(encode(path) for path in binds),
        memory,
    )


@functools.cache
def libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux") or _MACHINE not in SYSCALL_NUMBERS["pivot_root"]:
        return None
    try:
        lib = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    lib.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
    lib.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
    lib.unshare.argtypes = [ctypes.c_int]
    return lib


def unsupported() -> str:
    """Why no box can be made on this system at all ('' where one may be)."""
    if not sys.platform.startswith("linux"):
        return "Linux only"
    if _MACHINE not in SYSCALL_NUMBERS["pivot_root"]:
        return f"not on {_MACHINE} (x86-64 and arm64 only)"
    if libc() is None:
        return "the C library could not be loaded"
    return ""


def _check(result: int, step: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise BoxError(code, f"{step}: {os.strerror(code)}")


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _links(path: str, found: dict[str, str]) -> None:
    """Every symbolic link met on the way to ``path`` (``/lib`` → ``usr/lib``), so that a path
    written as the host writes it leads to the same place in the box."""
    parts = path.strip("/").split("/")
    for index in range(1, len(parts) + 1):
        prefix = "/" + "/".join(parts[:index])
        if prefix in found or not os.path.islink(prefix):
            continue
        found[prefix] = target = os.readlink(prefix)
        _links(os.path.normpath(os.path.join(os.path.dirname(prefix), target)), found)


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _outermost(paths: Iterable[str]) -> list[str]:
    """The real paths of those that exist, parents first, none inside another (it is shown already)."""
    kept: list[str] = []
    for real in sorted({os.path.realpath(path) for path in paths if os.path.exists(path)}):
        if not any(_inside(real, outer) for outer in kept):
            kept.append(real)
    return kept


def enter(box: Plan, scratch: str) -> None:
    """Put this process in its box, with ``scratch`` (an empty folder of its own, in the
    ``scratch_root`` of the plan) as its scratch folder. Raises ``BoxError``; where its
    ``started`` is False (the kernel refused the namespaces) nothing has changed, else the
    process is half-boxed and must not run a snippet."""
    lib = libc()
    if lib is None:
        raise BoxError(errno.ENOSYS, unsupported())
    uid, gid = os.getuid(), os.getgid()
    _check(lib.unshare(_CLONE_NEWUSER | _CLONE_NEWNS | _CLONE_NEWNET | _CLONE_NEWIPC), "new namespaces")
    try:
        _build(lib, box, os.fsencode(scratch), uid, gid)
    except OSError as error:
        raise BoxError(error.errno or 0, str(error), started=True) from error
    os.chdir(scratch)
    _reopen_standard_streams()
    drop_capabilities()


def _build(lib: ctypes.CDLL, box: Plan, scratch: bytes, uid: int, gid: int) -> None:
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")
    mount = lib.mount
    _check(mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None), "private mounts")  # none reaches the host
    root = box.root
    _check(mount(b"box", root, b"tmpfs", _MS_NOSUID | _MS_NODEV, b"size=4m,nr_inodes=4096,mode=0755"), "root")
    for folder in (*box.folders, scratch):
        os.mkdir(root + folder, 0o755)
    for file in box.files:
        os.close(os.open(root + file, os.O_CREAT | os.O_WRONLY | os.O_CLOEXEC, 0o600))
    for link, target in box.links:
        os.symlink(target, root + link)
    for real in box.binds:
        _check(mount(real, root + real, None, _MS_BIND | _MS_REC, None), f"show {os.fsdecode(real)}")
    # One tmpfs holds the scratch folder and /dev/shm: the snippet's own memory, counted.
    staging = root + _STAGING.encode()
    options = f"size={box.memory},mode=0700".encode()
    _check(mount(b"quiz-app-memory", staging, b"tmpfs", _MS_NOSUID | _MS_NODEV, options), "the snippet's tmpfs")
    os.mkdir(staging + b"/scratch", 0o700)
    os.mkdir(staging + b"/shm", 0o1777)
    _check(mount(staging + b"/scratch", root + scratch, None, _MS_BIND, None), "scratch folder")
    _check(mount(staging + b"/shm", root + SHM.encode(), None, _MS_BIND, None), "/dev/shm")
    _check(lib.umount2(staging, _MNT_DETACH), "unmount the staging folder")
    os.rmdir(staging)
    pivot = SYSCALL_NUMBERS["pivot_root"][_MACHINE]
    _check(lib.syscall(pivot, root, root + _OLD_ROOT.encode()), "pivot_root")
    os.chdir("/")
    _check(lib.umount2(_OLD_ROOT.encode(), _MNT_DETACH), "unmount the host's tree")
    os.rmdir(_OLD_ROOT)
    for real in box.binds:
        _read_only(lib, real)
    _check(mount(None, b"/", None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID | _MS_NODEV, None), "read-only")


def _read_only(lib: ctypes.CDLL, target: bytes) -> None:
    """Make a mount and every mount under it read-only (``mount_setattr``, Linux 5.12); on an
    older kernel, the top mount alone, keeping the flags a user namespace may not clear."""
    attr = _MountAttr(_MOUNT_ATTR_RDONLY, 0, 0, 0)
    size = ctypes.c_size_t(ctypes.sizeof(attr))
    result = lib.syscall(
        _SYS_MOUNT_SETATTR, ctypes.c_int(-100), target, ctypes.c_uint(_AT_RECURSIVE), ctypes.byref(attr), size
    )
    if result == 0:
        return
    if ctypes.get_errno() != errno.ENOSYS:
        _check(result, f"read-only {os.fsdecode(target)}")
    kept = os.statvfs(target).f_flag & (os.ST_NOSUID | os.ST_NODEV | os.ST_NOEXEC | os.ST_NOATIME)
    _check(lib.mount(None, target, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | kept, None), "read-only")


def _reopen_standard_streams() -> None:
    """Descriptors 0-2 opened on the host's device nodes are opened again on the box's, so
    that no descriptor reaches a file outside the box."""
    null = os.open("/dev/null", os.O_RDWR | os.O_CLOEXEC)
    for fd in (0, 1, 2):
        try:
            mode = os.fstat(fd).st_mode
        except OSError:
            continue
        if not (stat.S_ISSOCK(mode) or stat.S_ISFIFO(mode)):
            os.dup2(null, fd)
    os.close(null)


def drop_capabilities() -> None:
    """No capability left (the user namespace gave them all, for the mounts), and none to be
    gained again by running a program (``no_new_privs``)."""
    lib = libc()
    assert lib is not None
    _check(lib.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no new privileges")
    lib.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = _CapHeader(_CAP_VERSION_3, 0)
    data = (_CapData * 2)()
    capset = SYSCALL_NUMBERS["capset"][_MACHINE]
    _check(lib.syscall(capset, ctypes.byref(header), ctypes.byref(data)), "drop capabilities")


def memory_used(pid: int, scratch: str) -> int:
    """Bytes a snippet process holds in its box's tmpfs (scratch folder and ``/dev/shm``),
    read from outside through ``/proc/<pid>/root``; 0 where there is no box to read."""
    try:
        info = os.statvfs(f"/proc/{pid}/root{scratch}")
    except OSError:
        return 0
    if info.f_blocks == 0:
        return 0
    return (info.f_blocks - info.f_bfree) * info.f_frsize


def probe(python: str | None = None) -> str:
    """Why no box can be put up here ('' where one can): a box is tried for real, in a fresh
    Python that imports nothing else (about 20 ms, once per process that asks)."""
    why = unsupported()
    if why:
        return why
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="quiz-app-probe-") as folder:
        try:
            done = subprocess.run(
                [python or sys.executable, "-I", "-S", __file__, folder],
                capture_output=True,
                text=True,
                timeout=30,
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.SubprocessError) as error:
            return f"the check could not run ({error})"
    if done.returncode == 0 and done.stdout.strip() == "boxed":
        return ""
    return (done.stdout.strip() or done.stderr.strip().splitlines()[-1:] or ["it failed"])[-1]


def _probe_main(folder: str) -> int:
    scratch = os.path.join(folder, "scratch")
    os.mkdir(scratch)
    try:
        enter(plan((), 2**20, folder, devices=("/dev/null",)), scratch)
        with open("probe", "w") as stream:  # the scratch folder is writable, the rest is not
            stream.write("x")
        try:
            os.mkdir("/probe")
        except OSError as error:
            if error.errno != errno.EROFS:
                raise
        else:
            raise BoxError(0, "the root of the box is writable")
    except OSError as error:
        print(error.strerror or error)
        return 1
    print("boxed")
    return 0


if __name__ == "__main__":
    sys.exit(_probe_main(sys.argv[1]))
