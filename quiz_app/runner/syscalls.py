"""The system-call filter of a snippet process (seccomp-BPF): what a snippet never needs is refused.

A refused call fails with ``EPERM`` (``PermissionError`` in Python); nothing is killed. The
program is written here (a few dozen BPF instructions, x86-64 and arm64) rather than compiled
by libseccomp: its Python binding finds the library by running ``ldconfig`` at import, 40 ms
to half a second that the first outcome would wait for. It is built once per process and loaded
in each snippet process on every thread (``seccomp(2)``, ``TSYNC``) before it says it is ready.
Each rule has a test that calls it (``tests/system/test_syscalls.py``). Refused:

- ``socket`` and ``socketpair`` for every family but ``AF_UNIX`` (the reply socket is inherited;
  DataLoader workers speak ``AF_UNIX``): TCP, MPTCP, UDP, raw IP, packet, netlink, vsock…
  Where a Unix socket may lead is the box's business (:mod:`quiz_app.runner.box`);
- new namespaces (``unshare``, ``setns``, ``clone`` with a ``CLONE_NEW*`` flag; ``clone3``,
  whose flags a filter cannot read, fails with ``ENOSYS`` so that the C library falls back to
  ``clone``) and mounts old and new (``mount``, ``umount2``, ``pivot_root``, ``chroot``,
  ``open_tree``, ``move_mount``, ``fsopen``…);
- reaching into other processes (``ptrace``, ``process_vm_readv``/``writev``, ``kcmp``,
  ``pidfd_getfd``, ``process_madvise``), or changing their limits or priority (``prlimit64``,
  ``setpriority``, ``ioprio_set``, ``sched_set*`` on anything but the calling process);
- the kernel's own business: ``kexec_*``, modules, ``bpf``, ``perf_event_open``,
  ``userfaultfd``, ``io_uring_*`` (its rings would make socket calls past this filter),
  keyrings (``add_key``, ``keyctl``, ``request_key``), ``reboot``, swap, clocks, host names,
  ``syslog``, ``acct``, quotas, file handles (``open_by_handle_at``), ``fanotify_init``, ports;
- memory the box could not count: ``memfd_create``, ``memfd_secret``, anonymous shared mappings
  (``mmap`` with ``MAP_SHARED`` and ``MAP_ANONYMOUS``), System V shared memory, message queues
  and semaphores, POSIX message queues. Shared memory goes through files in ``/dev/shm``
  instead (the box's own, counted), as Python's ``multiprocessing`` and torch already do;
- typing into a terminal (``ioctl`` ``TIOCSTI``, ``TIOCLINUX``);
- calls of another architecture (32-bit calls from a 64-bit process, x32).

Changing a file's mode, owner, times or extended attributes is not refused here: a filter cannot
see paths, and ``shutil.copy`` needs ``chmod`` in the scratch folder. The box shows every other
path read-only, or not at all.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import struct
import sys

from quiz_app.runner import box

_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_LD_W_ABS, _JEQ, _JGE, _JSET, _AND, _RET = 0x20, 0x15, 0x35, 0x45, 0x54, 0x06
_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}  # AUDIT_ARCH_*
_X32_BIT = 0x40000000

AF_UNIX = 1
CLONE_NEW = 0x00000080 | 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000
MAP_SHARED_ANONYMOUS = 0x01 | 0x20  # MAP_SHARED_VALIDATE (0x03) has the shared bit too
TIOCSTI, TIOCLINUX = 0x5412, 0x541C

# Every call the filter names, by architecture (the numbers of calls added since Linux 5.1 are
# the same everywhere). A call an architecture lacks (arm64 has no chmod) is simply absent.
_NUMBERS: dict[str, dict[str, int]] = {
    "x86_64": dict(
        socket=41,
        socketpair=53,
        clone=56,
        mmap=9,
        ioctl=16,
        setpriority=141,
        ioprio_set=251,
        prlimit64=302,
        sched_setaffinity=203,
        sched_setscheduler=144,
        sched_setparam=142,
        sched_setattr=314,
        unshare=272,
        setns=308,
        mount=165,
        umount2=166,
        pivot_root=155,
        chroot=161,
        ptrace=101,
        process_vm_readv=310,
        process_vm_writev=311,
        kcmp=312,
        kexec_load=246,
        kexec_file_load=320,
        init_module=175,
        finit_module=313,
        delete_module=176,
        bpf=321,
        perf_event_open=298,
        userfaultfd=323,
        add_key=248,
        keyctl=250,
        request_key=249,
        reboot=169,
        swapon=167,
        swapoff=168,
        syslog=103,
        acct=163,
        settimeofday=164,
        clock_settime=227,
        clock_adjtime=305,
        adjtimex=159,
        sethostname=170,
        setdomainname=171,
        iopl=172,
        ioperm=173,
        quotactl=179,
        lookup_dcookie=212,
        vhangup=153,
        uselib=134,
        ustat=136,
        sysfs=139,
        _sysctl=156,
        nfsservctl=180,
        fanotify_init=300,
        name_to_handle_at=303,
        open_by_handle_at=304,
        memfd_create=319,
        shmget=29,
        shmat=30,
        msgget=68,
        semget=64,
        mq_open=240,
    ),  # fmt: skip
    "aarch64": dict(
        socket=198,
        socketpair=199,
        clone=220,
        mmap=222,
        ioctl=29,
        setpriority=140,
        ioprio_set=30,
        prlimit64=261,
        sched_setaffinity=122,
        sched_setscheduler=119,
        sched_setparam=118,
        sched_setattr=274,
        unshare=97,
        setns=268,
        mount=40,
        umount2=39,
        pivot_root=41,
        chroot=51,
        ptrace=117,
        process_vm_readv=270,
        process_vm_writev=271,
        kcmp=272,
        kexec_load=104,
        kexec_file_load=294,
        init_module=105,
        finit_module=273,
        delete_module=106,
        bpf=280,
        perf_event_open=241,
        userfaultfd=282,
        add_key=217,
        keyctl=219,
        request_key=218,
        reboot=142,
        swapon=224,
        swapoff=225,
        syslog=116,
        acct=89,
        settimeofday=170,
        clock_settime=112,
        clock_adjtime=266,
        adjtimex=171,
        sethostname=161,
        setdomainname=162,
        quotactl=60,
        lookup_dcookie=18,
        vhangup=58,
        nfsservctl=42,
        fanotify_init=262,
        name_to_handle_at=264,
        open_by_handle_at=265,
        memfd_create=279,
        shmget=194,
        shmat=196,
        msgget=186,
        semget=190,
        mq_open=180,
    ),  # fmt: skip
}
_COMMON = dict(
    io_uring_setup=425, io_uring_enter=426, io_uring_register=427, open_tree=428, move_mount=429, fsopen=430,
    fsconfig=431, fsmount=432, fspick=433, clone3=435, pidfd_getfd=438, process_madvise=440, mount_setattr=442,
    quotactl_fd=443, memfd_secret=447, process_mrelease=448, open_tree_attr=467,
)  # fmt: skip

# Refused outright, whatever their arguments.
REFUSED = (
    "unshare setns mount umount2 pivot_root chroot open_tree open_tree_attr move_mount fsopen fsconfig fsmount "
    "fspick mount_setattr ptrace process_vm_readv process_vm_writev kcmp pidfd_getfd process_madvise "
    "process_mrelease kexec_load kexec_file_load init_module finit_module delete_module bpf perf_event_open "
    "userfaultfd io_uring_setup io_uring_enter io_uring_register add_key keyctl request_key reboot swapon swapoff "
    "syslog acct settimeofday clock_settime clock_adjtime adjtimex sethostname setdomainname iopl ioperm quotactl "
    "quotactl_fd lookup_dcookie vhangup uselib ustat sysfs _sysctl nfsservctl fanotify_init name_to_handle_at "
    "open_by_handle_at memfd_create memfd_secret shmget shmat msgget semget mq_open"
).split()
# Allowed only on the calling process itself (a first argument of 0).
SELF_ONLY = ("prlimit64", "sched_setaffinity", "sched_setscheduler", "sched_setparam", "sched_setattr")

# A condition on one argument's low 32 bits (every argument tested is an int, or flags that fit):
# (argument, test, value); the call is refused when any condition of its rule holds.
Condition = tuple[int, str, int]
RULES: dict[str, tuple[Condition, ...]] = {
    "socket": ((0, "!=", AF_UNIX),),
    "socketpair": ((0, "!=", AF_UNIX),),
    "clone": ((0, "any of", CLONE_NEW),),
    "mmap": ((3, "all of", MAP_SHARED_ANONYMOUS),),
    "ioctl": ((1, "==", TIOCSTI), (1, "==", TIOCLINUX)),
    "setpriority": ((0, "!=", 0), (1, "!=", 0)),  # PRIO_PROCESS, of itself
    "ioprio_set": ((0, "!=", 1), (1, "!=", 0)),  # IOPRIO_WHO_PROCESS, of itself
    **{name: ((0, "!=", 0),) for name in SELF_ONLY},
    **{name: () for name in REFUSED},
}
ENOSYS_CALLS = ("clone3",)  # its flags are behind a pointer: the C library falls back to clone


def _numbers(machine: str) -> dict[str, int]:
    return {**_NUMBERS[machine], **_COMMON}


def missing_reason() -> str:
    """Why there is no system-call filter here ('' where there is one)."""
    why = box.unsupported()
    if why:
        return why
    if sys.byteorder != "little":
        return "big-endian systems are not supported"
    try:
        with open("/proc/sys/kernel/seccomp/actions_avail", encoding="ascii") as stream:
            if "errno" not in stream.read().split():
                return "this kernel's seccomp cannot return an error"
    except OSError:
        return "no seccomp filters in this kernel"
    return ""


def _instruction(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k & 0xFFFFFFFF)


def _argument(index: int) -> int:
    return 16 + 8 * index  # offsetof(struct seccomp_data, args[index]), its low half (little-endian)


def _rule(number: int, conditions: tuple[Condition, ...], refused: int) -> list[bytes]:
    """``if nr == number: <refuse when any condition holds, else allow>``; the accumulator holds
    the call's number on the way in, and every path through the body returns."""
    body: list[tuple[int, int, str]] = []  # (code, k, which branch jumps to the refusal)
    for index, test, value in conditions:
        body.append((_LD_W_ABS, _argument(index), ""))
        if test == "!=":
            body.append((_JEQ, value, "false"))
        elif test == "==":
            body.append((_JEQ, value, "true"))
        elif test == "any of":
            body.append((_JSET, value, "true"))
        elif test == "all of":
            body.append((_AND, value, ""))
            body.append((_JEQ, value, "true"))
        else:
            raise ValueError(test)
    out: list[bytes] = []
    if not conditions:
        return [_instruction(_JEQ, number, 0, 1), _instruction(_RET, refused)]
    length = len(body) + 2  # then: allow, refuse
    out.append(_instruction(_JEQ, number, 0, length))
    for position, (code, k, branch) in enumerate(body):
        to_refusal = length - 1 - position - 1  # from the next instruction to the last of the block
        if branch == "true":
            out.append(_instruction(code, k, to_refusal, 0))
        elif branch == "false":
            out.append(_instruction(code, k, 0, to_refusal))
        else:
            out.append(_instruction(code, k))
    out.append(_instruction(_RET, _RET_ALLOW))
    out.append(_instruction(_RET, refused))
    return out


@functools.cache
def program(machine: str | None = None) -> bytes:
    """The filter, as ``seccomp(2)`` takes it (classic BPF, 8 bytes an instruction)."""
    machine = machine or os.uname().machine
    numbers = _numbers(machine)
    eperm, enosys = _RET_ERRNO | errno.EPERM, _RET_ERRNO | errno.ENOSYS
    code = [
        _instruction(_LD_W_ABS, 4),  # arch
        _instruction(_JEQ, _ARCH[machine], 1, 0),
        _instruction(_RET, eperm),  # a call of another architecture
        _instruction(_LD_W_ABS, 0),  # nr
    ]
    if machine == "x86_64":
        code += [_instruction(_JGE, _X32_BIT, 0, 1), _instruction(_RET, eperm)]  # x32
    for name, conditions in RULES.items():
        if name in numbers:
            code += _rule(numbers[name], conditions, eperm)
    for name in ENOSYS_CALLS:
        code += _rule(numbers[name], (), enosys)
    code.append(_instruction(_RET, _RET_ALLOW))
    return b"".join(code)


def program_or_none() -> bytes | None:
    """The filter where one can be loaded here, else None (the snippet process then says why)."""
    try:
        return None if missing_reason() else program()
    except (KeyError, ValueError, OSError):
        return None


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def load(compiled: bytes | None = None) -> None:
    """Load the filter on every thread of this process (after ``no_new_privs``, which seccomp
    asks of a process without privileges). Raises ``OSError``."""
    libc = box.libc()
    if libc is None or sys.byteorder != "little":
        raise OSError(errno.ENOSYS, box.unsupported() or "big-endian systems are not supported")
    if compiled is None:  # the zygote found none could be made (missing_reason says why)
        raise OSError(errno.ENOSYS, "no system-call filter here")
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))
    buffer = ctypes.create_string_buffer(compiled, len(compiled))
    prog = _SockFprog(len(compiled) // 8, ctypes.addressof(buffer))
    number = box.SYSCALL_NUMBERS["seccomp"][os.uname().machine]
    flags = ctypes.c_uint(_SECCOMP_FILTER_FLAG_TSYNC)
    if libc.syscall(number, ctypes.c_uint(_SECCOMP_SET_MODE_FILTER), flags, ctypes.byref(prog)) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"seccomp: {os.strerror(code)}")
