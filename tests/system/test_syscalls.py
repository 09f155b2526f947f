"""The system-call filter, rule by rule: each refused call is made, with arguments that would make
it fail harmlessly (a bad pointer, a bad descriptor, an unknown operation) were it let through,
in a process of its own that has loaded the filter; and once more in one that has not, to show
that the refusal comes from the filter. The calls a snippet needs (Unix sockets, private
mappings, threads, processes, its own limits) still work."""

from __future__ import annotations

import ctypes
import errno
import os
import pickle
from collections.abc import Callable
from typing import Any

import pytest

from quiz_app.runner import syscalls

pytestmark = [
    pytest.mark.hostile,
    pytest.mark.skipif(bool(syscalls.missing_reason()), reason=f"no seccomp here: {syscalls.missing_reason()}"),
]

BAD = 1  # a pointer no process has mapped: EFAULT where a call reads it
OTHER = 0x3FFFFFF0  # a process id no process has (ESRCH where a call looks for it)
NUMBERS = syscalls._numbers(os.uname().machine)

# Each refused call and arguments that make it fail harmlessly where it is not refused.
HARMLESS: dict[str, tuple[int, ...]] = {
    "unshare": (0,),  # no flags: a no-op where it is allowed
    "setns": (-1, 0),
    "mount": (BAD, BAD, BAD, 0, 0),
    "umount2": (BAD, 0),
    "pivot_root": (BAD, BAD),
    "chroot": (BAD,),
    "open_tree": (-1, BAD, 0),
    "open_tree_attr": (-1, BAD, 0, 0, 0),
    "move_mount": (-1, BAD, -1, BAD, 0),
    "fsopen": (BAD, 0),
    "fsconfig": (-1, 0, 0, 0, 0),
    "fsmount": (-1, 0, 0),
    "fspick": (-1, BAD, 0),
    "mount_setattr": (-1, BAD, 0, BAD, 0),
    "ptrace": (0xFFFF, OTHER, 0, 0),
    "process_vm_readv": (OTHER, BAD, 1, BAD, 1, 0),
    "process_vm_writev": (OTHER, BAD, 1, BAD, 1, 0),
    "kcmp": (OTHER, OTHER, 99, 0, 0),
    "pidfd_getfd": (-1, 0, 0),
    "process_madvise": (-1, BAD, 1, 0, 0),
    "process_mrelease": (-1, 0),
    "kexec_load": (0, 0, BAD, 0xDEAD0000),
    "kexec_file_load": (-1, -1, 0, BAD, 0xDEAD0000),
    "init_module": (BAD, 0, BAD),
    "finit_module": (-1, BAD, 0),
    "delete_module": (BAD, 0),
    "bpf": (0xFFFF, BAD, 0),
    "perf_event_open": (BAD, 0, -1, -1, 0),
    "userfaultfd": (0xFFFF,),
    "io_uring_setup": (0, BAD),
    "io_uring_enter": (-1, 0, 0, 0, 0, 0),
    "io_uring_register": (-1, 0xFFFF, 0, 0),
    "add_key": (BAD, BAD, BAD, 0, 0),
    "keyctl": (0xFFFF, 0, 0, 0, 0),
    "request_key": (BAD, BAD, BAD, 0),
    "reboot": (0, 0, 0, 0),
    "swapon": (BAD, 0),
    "swapoff": (BAD,),
    "syslog": (0xFF, 0, 0),
    "acct": (BAD,),
    "settimeofday": (BAD, BAD),
    "clock_settime": (0, BAD),
    "clock_adjtime": (0, BAD),
    "adjtimex": (BAD,),
    "sethostname": (BAD, 5),
    "setdomainname": (BAD, 5),
    "iopl": (99,),
    "ioperm": (0xFFFFFFFF, 1, 0),
    "quotactl": (0, BAD, 0, 0),
    "quotactl_fd": (-1, 0, 0, 0),
    "lookup_dcookie": (0, BAD, 0),
    "uselib": (BAD,),
    "ustat": (0, BAD),
    "sysfs": (99, 0, 0),
    "_sysctl": (BAD,),
    "nfsservctl": (0, 0, 0),
    "fanotify_init": (0xFFFFFFFF, 0),
    "name_to_handle_at": (-1, BAD, BAD, BAD, 0),
    "open_by_handle_at": (-1, BAD, 0),
    "memfd_create": (BAD, 0),
    "memfd_secret": (0xFF,),
    "shmget": (0, 0, 0),  # size 0: EINVAL
    "shmat": (-1, 0, 0),
    "msgget": (1, 0),  # a key without IPC_CREAT: ENOENT
    "semget": (1, 0, 0),
    "mq_open": (BAD, 0, 0, 0),
    # refused for some arguments only: these arguments
    "socket": (2, 1, 0),  # AF_INET, SOCK_STREAM: opened where it is allowed
    "socketpair": (2, 1, 0, BAD),
    "clone": (0x10000000 | 0x00010000, 0, 0, 0, 0),  # CLONE_NEWUSER | CLONE_THREAD without CLONE_SIGHAND: EINVAL
    "clone3": (BAD, 0),
    "mmap": (0, 4096, 1, 0x21, -1, 0),  # MAP_SHARED | MAP_ANONYMOUS: mapped where it is allowed
    "ioctl": (-1, syscalls.TIOCSTI, 0),
    "setpriority": (0, OTHER, 0),
    "ioprio_set": (1, OTHER, 0),
    "prlimit64": (OTHER, 7, 0, 0),
    "sched_setaffinity": (OTHER, 0, 0),
    "sched_setscheduler": (OTHER, 0, BAD),
    "sched_setparam": (OTHER, BAD),
    "sched_setattr": (OTHER, BAD, 0),
}
# vhangup has no harmless form (it hangs up the terminal where it is allowed): filtered, untried.
UNTRIED = {"vhangup"}
ALLOWED: dict[str, tuple[int, ...]] = {
    "socket": (1, 1, 0),  # AF_UNIX
    "mmap": (0, 4096, 3, 0x22, -1, 0),  # MAP_PRIVATE | MAP_ANONYMOUS
    "prlimit64": (0, 7, 0, BAD),  # its own (RLIMIT_NOFILE), read into a bad pointer: EFAULT
    "setpriority": (0, 0, 0),  # its own niceness, unchanged
}


def in_a_process(work: Callable[[], Any], filtered: bool) -> Any:
    """``work()`` in a forked process (with the filter loaded, or not); its pickled result."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            os.setsid()  # no controlling terminal: nothing here can reach the test's
            if filtered:
                syscalls.load(syscalls.program())
            result: Any = work()
        except BaseException as error:  # noqa: BLE001 - sent back as the result
            result = error
        os.write(write, pickle.dumps(result))
        os._exit(0)
    os.close(write)
    data = b""
    while chunk := os.read(read, 65536):
        data += chunk
    os.close(read)
    os.waitpid(pid, 0)
    return pickle.loads(data)


def call(name: str, args: tuple[int, ...]) -> int:
    """The call's errno (0 where it succeeded)."""
    libc = ctypes.CDLL(None, use_errno=True)
    result = libc.syscall(NUMBERS[name], *(ctypes.c_long(arg) for arg in args))
    return 0 if result != -1 else ctypes.get_errno()


def test_every_rule_names_a_call_of_this_architecture_or_is_absent_here() -> None:
    named = set(syscalls.RULES) | set(syscalls.ENOSYS_CALLS)
    assert named - set(HARMLESS) - UNTRIED == set()  # each rule has a test below
    assert {name for name in HARMLESS if name not in NUMBERS} <= {
        "iopl",
        "ioperm",
        "uselib",
        "ustat",
        "sysfs",
        "_sysctl",
    }


@pytest.mark.parametrize("name", sorted(name for name in HARMLESS if name in NUMBERS))
def test_the_call_is_refused(name: str) -> None:
    expected = errno.ENOSYS if name in syscalls.ENOSYS_CALLS else errno.EPERM
    filtered = in_a_process(lambda: call(name, HARMLESS[name]), filtered=True)
    assert filtered == expected, f"{name}: {errno.errorcode.get(filtered, filtered)}"
    unfiltered = in_a_process(lambda: call(name, HARMLESS[name]), filtered=False)
    if name not in ("unshare", "socket", "mmap"):  # those succeed unfiltered: 0 tells the difference
        assert unfiltered != expected, f"{name} gives {errno.errorcode.get(unfiltered)} without the filter"


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_what_a_snippet_needs_is_let_through(name: str) -> None:
    result = in_a_process(lambda: call(name, ALLOWED[name]), filtered=True)
    assert result in (0, errno.EFAULT), f"{name}: {errno.errorcode.get(result, result)}"


def test_threads_processes_and_programs_still_start() -> None:
    def work() -> list[str]:
        import subprocess
        import sys
        import threading

        done = []
        thread = threading.Thread(target=lambda: done.append("thread"))  # clone3 is ENOSYS: glibc uses clone
        thread.start()
        thread.join()
        pid = os.fork()
        if pid == 0:
            os._exit(7)
        done.append(f"fork {os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])}")
        done.append(subprocess.run([sys.executable, "-c", "print('program')"], capture_output=True, text=True).stdout)
        return done

    assert in_a_process(work, filtered=True) == ["thread", "fork 7", "program\n"]


def test_a_call_of_another_architecture_is_refused() -> None:
    """A 64-bit process making a 32-bit call (int 0x80 on x86-64) or an x32 one."""
    if os.uname().machine != "x86_64":
        pytest.skip("x86-64 only")
    x32_getpid = 0x40000000 | 39
    assert in_a_process(lambda: call_raw(x32_getpid), filtered=True) == errno.EPERM


def call_raw(number: int) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    return 0 if libc.syscall(number) != -1 else ctypes.get_errno()
