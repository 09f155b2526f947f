"""The zygote's memory in huge pages (runner/zygote.py: collapse_to_huge_pages), where Linux can."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from quiz_app.runner import SnippetRunner

THP = Path("/sys/kernel/mm/transparent_hugepage/enabled")


def huge_pages_possible() -> str | None:
    """Why huge pages cannot be had here, or None."""
    if not sys.platform.startswith("linux"):
        return "not Linux"
    if not THP.exists():
        return "no transparent huge pages in this kernel"
    if "[never]" in THP.read_text():
        return "transparent huge pages are turned off (never)"
    probe = textwrap.dedent(
        """
        import ctypes, mmap
        libc = ctypes.CDLL(None, use_errno=True)
        libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        area = mmap.mmap(-1, 4 << 21, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        area.write(b"x" * (4 << 21))
        base = ctypes.addressof(ctypes.c_char.from_buffer(area))
        start = (base + (1 << 21) - 1) & ~((1 << 21) - 1)
        print(libc.madvise(start, 1 << 21, 25) == 0)
        """
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    if result.stdout.strip() != "True":
        return "this kernel does not collapse memory into huge pages (MADV_COLLAPSE, Linux 6.1)"
    return None


def anon_huge_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("AnonHugePages:"):
            return int(line.split()[1])
    return 0


def test_collapse_moves_a_processes_heap_into_huge_pages() -> None:
    reason = huge_pages_possible()
    if reason:
        pytest.skip(reason)
    script = textwrap.dedent(
        """
        from pathlib import Path
        from quiz_app.runner.zygote import collapse_to_huge_pages
        def huge():
            for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
                if line.startswith("AnonHugePages:"):
                    return int(line.split()[1])
        objects = [str(number) * 8 for number in range(2_000_000)]  # about 150 MB of small objects
        before = huge()
        collapsed = collapse_to_huge_pages()
        print(before, collapsed, huge())
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    before, collapsed, after = (int(word) for word in result.stdout.split())
    assert collapsed > 0
    assert after >= before + 50 * 1024  # at least 50 MiB more of it in huge pages


def test_the_zygote_is_collapsed_after_its_first_snippet_and_snippets_still_run() -> None:
    reason = huge_pages_possible()
    if reason:
        pytest.skip(reason)
    with SnippetRunner("cpu") as runner:
        assert runner.run("print(1 + 1)").stdout == "2\n"
        zygote = runner.zygote_pid
        assert zygote is not None
        deadline = time.monotonic() + 60  # the zygote imports torch._dynamo first
        while anon_huge_kib(zygote) < 50 * 1024:
            assert time.monotonic() < deadline, "the zygote's memory was not collapsed"
            time.sleep(0.2)
        outcomes = [runner.run(f"import os\nprint({number} * 2, os.getpid())") for number in range(5)]
        assert [outcome.stdout.split()[0] for outcome in outcomes] == ["0", "2", "4", "6", "8"]
        assert len({outcome.stdout.split()[1] for outcome in outcomes}) == 5  # a fresh process each
