"""Where the box or the system-call filter cannot be had (no user namespaces, no seccomp), the
guard is reported missing with its reason, ``quiz-app where`` says so in the interface's language,
and a bank that is not bundled asks before it runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from quiz_app import cli
from quiz_app.bank.loader import parse_bank
from quiz_app.check import trust
from quiz_app.core import i18n
from quiz_app.runner import box, sandbox, syscalls

BANK = """\
id: foreign
title: Foreign
questions:
  - id: q
    type: predict
    prompt: p
    snippet: print(1)
    answer: '1'
    explanation: x
"""


@pytest.fixture
def no_namespaces_no_seccomp(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A kernel that refuses user namespaces and has no seccomp. ``_available`` is cached for the
    process's life: emptied before and after, so that other tests see this machine."""
    monkeypatch.setattr(box, "probe", lambda python=None: "new namespaces: Operation not permitted")
    monkeypatch.setattr(syscalls, "missing_reason", lambda: "no seccomp filters in this kernel")
    sandbox._available.cache_clear()
    yield
    sandbox._available.cache_clear()


@pytest.mark.usefixtures("no_namespaces_no_seccomp")
def test_a_missing_box_and_filter_are_reported_with_their_reasons() -> None:
    guards, missing = sandbox.available()
    assert "box" not in guards and "syscalls" not in guards
    assert (
        missing["box"]
        == "this system refuses a private file tree and network (new namespaces: Operation not permitted)"
    )
    assert missing["syscalls"] == "no system-call filter here (no seccomp filters in this kernel)"
    i18n.activate("zh")
    _guards, missing = sandbox.available()
    assert missing["box"] == "本系统不允许私有的文件树和网络（new namespaces: Operation not permitted）"


@pytest.mark.usefixtures("no_namespaces_no_seccomp")
def test_where_names_them(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli.main(["where"]) == 0
    out = capsys.readouterr().out
    assert "  missing: box (this system refuses a private file tree and network" in out
    assert "  missing: syscalls (no system-call filter here" in out
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert cli.main(["where"]) == 0
    out = capsys.readouterr().out
    assert "  缺少：隔离箱（本系统不允许私有的文件树和网络（new namespaces: Operation not permitted））" in out, out


@pytest.mark.usefixtures("no_namespaces_no_seccomp")
def test_a_foreign_bank_then_asks_first(tmp_path: Path) -> None:
    bank, _ = parse_bank(BANK, tmp_path / "foreign.yaml")
    assert bank is not None
    gate = trust.Gate.here(bundled=tmp_path / "none")
    decision = gate.decide(bank)
    assert decision.needed and {"box", "syscalls"} <= set(decision.missing)


def test_on_this_machine_the_guard_list_names_them_in_order() -> None:
    assert sandbox.ALL_GUARDS == ("files", "network", "signals", "box", "syscalls", "environment", "limits", "memory")
    assert {"box", "syscalls"} <= set(trust.REQUIRED)
    assert trust.guard_names(["box", "syscalls"]) == "box, syscalls"


def test_a_snippet_process_without_a_guard_this_machine_has_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """The trust gate decided with the machine's guards: a snippet process that did not put one
    of them up (a box refused at run time) is refused, with the reason it gave."""
    monkeypatch.setattr(sandbox, "available", lambda: (["files", "box", "syscalls", "environment", "memory"], {}))
    ready = {"guards": ["environment", "files", "syscalls"], "missing": {"box": "new namespaces: Invalid argument"}}
    guards, missing, unmet = sandbox.reconcile(ready, enabled=True)
    assert unmet == "box: new namespaces: Invalid argument"
    assert missing["box"] == "new namespaces: Invalid argument"
    whole = {"guards": ["environment", "files", "box", "syscalls"], "missing": {}}
    assert sandbox.reconcile(whole, enabled=True)[2] == ""
    off = sandbox.reconcile({"guards": ["environment"]}, enabled=False)
    assert off[2] == "" and off[1]["box"] == "turned off"
