"""The application shell: services, global keys, and which screen comes first."""

from __future__ import annotations

import asyncio
import dataclasses
import signal
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from quiz_app.bank import Bank, LoadResult, Question, Verdict, installed_folders, load_banks
from quiz_app.check import trust
from quiz_app.core import i18n, locations
from quiz_app.core.i18n import N_, _
from quiz_app.play import players
from quiz_app.play.run import QuizRun, answer_record
from quiz_app.play.shuffle import Response
from quiz_app.progress import AnswerJournaled, AnswerRecord, LockWait, ProgressStore
from quiz_app.runner import Outcome, SnippetRequest, WorkerInfo, question_request
from quiz_app.ui.settings import Settings

if TYPE_CHECKING:
    from quiz_app.ui.screens.home import HomeScreen

T = TypeVar("T")


class Runner(Protocol):
    """What the UI needs of the snippet runner (the real one, or a fixed one in snapshot tests)."""

    restarts: int  # snippet processes stopped so far (timeouts, crashes, memory)

    def start(self) -> None: ...
    def wait_ready(self, timeout: float = ...) -> WorkerInfo | None: ...
    async def arun_request(self, request: SnippetRequest) -> Outcome: ...
    def cancel(self) -> None: ...

    @property
    def info(self) -> WorkerInfo | None: ...
    @property
    def failure(self) -> str | None: ...


class QuizApp(App[int]):
    TITLE = "quiz-app"
    SUB_TITLE = "model.eval() vs torch.no_grad()"
    CSS_PATH = "quiz.tcss"
    BINDINGS = [
        Binding("question_mark,f1", "help", N_("Help"), id="help", tooltip=N_("Keys and how the quiz works")),
        Binding("q", "quit", N_("Quit"), id="quit", tooltip=N_("Quit; every answer given is already saved")),
        Binding("ctrl+q", "quit", N_("Quit"), show=False, priority=True, id="quit-anywhere", tooltip=N_("Quit")),
    ]

    def __init__(
        self,
        store: ProgressStore,
        runner: Runner,
        settings: Settings | None = None,
        bundled: Path | None = None,
    ) -> None:
        super().__init__()
        settings = settings or Settings()
        from quiz_app.ui.patches import compositor
        from quiz_app.ui.patches.cjk import install_wrapping

        install_wrapping()  # Chinese wraps by character, not only at spaces
        compositor.install()  # one arrangement per layout, not two (see ui/patches/compositor.py)
        self.settings = settings
        self.exam = settings.exam  # quiz-app exam: the exam screen comes first instead of the banks
        self.shuffle = settings.shuffle  # --shuffle: questions too in the player's order (as a bank's `shuffle: true`)
        # --lang, else the locale; a bank in a language with a catalog is played in it (see language_for).
        self.language_override = i18n.normalise(settings.language)
        self.language = i18n.activate(i18n.choose(settings.language))
        self.shared = settings.shared
        # A tab of `quiz-app serve`: a student's seat shows no other player's answers (no class
        # report, no switching player) and the name is never remembered for the next tab.
        self.served = settings.served
        self.clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)  # tests move it
        self.bundled = bundled if bundled is not None else locations.bundled_banks_dir()
        self.store = store
        self.runner = runner
        # None until the player has said who they are (the name prompt, when --player was not given).
        self.player: str = settings.player or ""
        self.ask_player = settings.player is None
        self.paths = list(settings.paths)
        # Every use of the database goes through one thread, first in first out: an attempt
        # is created before its answers, the event loop never waits on SQLite, and quitting
        # waits for what is queued.
        self._store_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="quiz-app-store")
        self.save_failed = False
        store.on_wait = self._waiting_for_lock
        self.banks = LoadResult()

    # -- start --------------------------------------------------------------------------------
    def on_mount(self) -> None:

        for notice in self.store.notices:
            self.notify(notice, title=_("Score database"), severity="warning", timeout=15)
        self._handle_termination()
        self.warm_up()
        if self.ask_player:
            self.ask_for_player(then=self.open_first_screen)
        else:
            self.open_first_screen()

    def open_first_screen(self) -> None:
        from quiz_app.ui.screens.home import HomeScreen

        if self.exam is not None:
            from quiz_app.ui.screens.exam import open_exam

            open_exam(self, self.exam)
            return
        self.push_screen(HomeScreen())

    # -- language -----------------------------------------------------------------------------
    def language_for(self, bank: Bank | None) -> str:
        """--lang, else the bank's language where a catalog is shipped, else the locale."""
        return i18n.choose(self.language_override, bank.language if bank is not None else None)

    def use_language(self, bank: Bank | None = None) -> str:
        """Translate from now on into the language for ``bank`` (None: the app's own screens)."""
        self.language = i18n.activate(self.language_for(bank))
        return self.language

    async def set_language(self, language: str) -> None:
        """From the palette: the interface's language from now on, whatever the bank's (like --lang)."""
        from quiz_app.ui.screens.home import HomeScreen

        self.language_override = i18n.normalise(language)
        self.use_language(None)
        if isinstance(self.screen, HomeScreen):
            await self.screen.retranslate()
        self.screen.refresh_bindings()
        self.notify(_("Language: {name}").format(name=i18n.LANGUAGES[self.language]))

    # -- who is playing -----------------------------------------------------------------------
    @work(exclusive=True, group="player", exit_on_error=False, description="Ask who is playing")
    async def ask_for_player(self, then: Callable[[], object] | None = None, cancellable: bool = False) -> None:
        """The name prompt: last time's name is offered (Enter confirms it), except where the data
        folder is shared, where nobody is offered anyone else's name."""
        from quiz_app.ui.screens.player import PlayerScreen

        known = await self.read_store(lambda store: store.players())
        shared = self.shared or players.shared(known)
        offered = None if shared else (players.last_player() or self.player or None)
        name = await self.push_screen_wait(PlayerScreen(offered, shared, cancellable=cancellable))
        if name is None:
            if not self.player:  # backed out before any name: nothing to play as
                self.exit(0)
            return
        self.player = name
        if not shared:  # on a shared folder the next start must not be offered this name
            await asyncio.to_thread(players.remember, name)
        if then is not None:
            then()

    def switch_player(self) -> None:
        """From the palette: back to the banks (a run under way is left unfinished, its answers
        kept under the player who gave them), ask again, then show the new player's home screen."""
        from quiz_app.ui.screens.home import HomeScreen

        self.go_home()

        def reopened() -> None:
            for screen in self.screen_stack:
                if isinstance(screen, HomeScreen):
                    screen.player_changed()

        self.ask_for_player(then=reopened, cancellable=True)

    def _handle_termination(self) -> None:
        """SIGTERM and SIGHUP (a closed terminal) quit as `q` does: the terminal is restored and
        queued answers are written, instead of the process dying in the alternate screen."""
        loop = asyncio.get_running_loop()
        for name in ("SIGTERM", "SIGHUP"):
            signum = getattr(signal, name, None)
            if signum is None:
                continue
            try:
                loop.add_signal_handler(signum, lambda: asyncio.ensure_future(self.action_quit()))
            except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or Windows
                pass

    @work(thread=True, exclusive=True, group="warm-up", exit_on_error=False, description="Start the PyTorch worker")
    def warm_up(self) -> None:
        from quiz_app.ui.widgets.question_view import code_block

        code_block("x = 1")  # compiles the Python highlighter now, not on the first answer
        self.runner.start()
        self.runner.wait_ready()
        self.call_from_thread(self._worker_changed)

    def _worker_changed(self) -> None:
        from quiz_app.ui.screens.home import HomeScreen

        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                screen.show_worker()

    def bank_sources(self) -> list[Path]:
        """Bundled banks and the player's folder where they exist, then what the command line named."""
        return installed_folders(self.bundled) + self.paths

    def load_all_banks(self) -> LoadResult:
        """Blocking: call from a worker thread."""
        self.banks = load_banks(self.bank_sources())
        return self.banks

    def direct_bank(self) -> Bank | None:
        """The bank to open at once when the command line named a single bank file."""
        if len(self.paths) != 1 or self.paths[0].is_dir():
            return None
        wanted = self.paths[0].resolve()
        return next((bank for bank in self.banks.banks if bank.path.resolve() == wanted), None)

    # -- playing ------------------------------------------------------------------------------
    def play(self, run: QuizRun) -> None:
        """Play a run, once its bank may run its snippets here (see quiz_app.check.trust)."""
        if run.review:  # a review asks nothing: it plays only what the player's banks allowed before
            banks = {bank.id: bank for bank, _question in run.homes.values()}.values()
            if any(self.trust_gate().decide(bank).needed for bank in banks):
                self.notify(_("A bank in this review needs your consent first: open it from the list once."))
                return
            self._start(run)
            return
        self.when_trusted(run.bank, lambda: self._start(run), lambda why: self.notify(why, severity="warning"))

    def trust_gate(self) -> trust.Gate:
        return trust.Gate.here(self.settings.sandboxed, self.settings.trust_all, self.bundled)

    def when_trusted(self, bank: Bank, start: Callable[[], object], refused: Callable[[str], object]) -> None:
        """Call ``start`` once ``bank`` may run its snippets here, asking the player first where a
        guard is missing (the answer is kept); otherwise ``refused`` with the reason, in words."""
        gate = self.trust_gate()
        decision = gate.decide(bank)
        if not decision.needed:
            start()
            return
        if decision.refused_before:
            refused(gate.refused_text(bank))
            return
        from quiz_app.ui.screens.consent import ConsentScreen

        def answered(yes: bool | None) -> None:
            gate.answer(bank, decision, bool(yes))
            if yes:
                start()
            else:
                refused(trust.not_opened_text(bank))

        self.push_screen(ConsentScreen(trust.question(bank, decision)), answered)

    def _start(self, run: QuizRun) -> None:
        from quiz_app.ui.screens.quiz import QuizScreen

        self.use_language(None if run.review else run.bank)
        from quiz_app.play.run import practice_order

        run = practice_order(run, self.player, asked=self.shuffle)
        if not run.review and run.attempt_id is None:  # a review spans banks: its answers are kept without an attempt
            self.start_attempt(run)
        self.push_screen(QuizScreen(run))

    def start_attempt(self, run: QuizRun) -> None:
        """Record the attempt; the answers queued after it find its id."""

        def write(store: ProgressStore) -> None:
            run.attempt_id = store.start_attempt(self.player, run.bank.id, run.total, retry=run.retry)

        self._store_job(write)

    def save_answer(
        self,
        run: QuizRun,
        question: Question,
        response: Response,
        verdict: Verdict,
        seconds: float,
        outcome: Outcome | None = None,
    ) -> None:
        """The one way an answer is committed (practice, review and exam alike): as the store
        keeps it (the bank's letters), on the device its snippet ran on, the moment it is given."""
        info = self.runner.info
        device = outcome.device if outcome is not None and outcome.device else (info.device if info else None)
        self.record(answer_record(run, question, response, verdict, seconds, self.player, device), run)

    def run_question(self, run: QuizRun, question: Question) -> asyncio.Future[Outcome]:
        """Hand the question's snippet to the runner, in a thread (the event loop never waits)."""
        return asyncio.ensure_future(self.runner.arun_request(question_request(question, run.setup_for(question))))

    def record(self, record: AnswerRecord, run: QuizRun) -> None:
        """Commit one answer, the moment it is given, and move its review card (in the store's thread)."""

        def save(store: ProgressStore) -> None:
            store.record_answer(dataclasses.replace(record, attempt_id=run.attempt_id))
            if record.correct is not None and record.answered_at is not None:
                store.review_answer(
                    record.player,
                    record.bank_id,
                    record.question_id,
                    record.question_hash,
                    record.correct,
                    record.answered_at,
                )

        self._store_job(save)

    def finish_attempt(self, run: QuizRun) -> None:
        def finish(store: ProgressStore) -> None:
            if run.attempt_id is not None:
                store.finish_attempt(run.attempt_id)

        self._store_job(finish)

    def _store_job(self, job: Callable[[ProgressStore], object]) -> None:
        def guarded() -> None:
            try:
                job(self.store)
            except AnswerJournaled:
                self._tell(
                    _(
                        "The score database is busy: your answer is kept in its journal and will be "
                        "committed the next time quiz-app starts."
                    ),
                    "warning",
                )
            except Exception as error:  # noqa: BLE001 - shown, never swallowed
                self._tell(_("Could not save to the score database: {error}").format(error=error), "error")

        self._store_thread.submit(guarded)

    def _tell(self, message: str, severity: str) -> None:
        """Show a notice from the store's thread; once the UI is gone, print it to stderr and
        make the exit code say that something was not saved."""
        try:
            self.call_from_thread(self.notify, message, severity=severity, timeout=30)  # type: ignore[arg-type]
        except RuntimeError:  # the app has exited: no screen to show it on
            print(f"quiz-app: {message}", file=sys.stderr)
            if severity == "error":
                self.save_failed = True

    def _waiting_for_lock(self, wait: LockWait) -> None:
        """Called in the store's thread while another program holds the database."""
        if wait.over:
            return
        if wait.waited_s >= 2 and int(wait.waited_s) % 5 < 1:
            self._tell(
                _("Still saving: another program holds the score database ({seconds} s)…").format(
                    seconds=f"{wait.waited_s:.0f}"
                ),
                "warning",
            )

    async def read_store(self, query: Callable[[ProgressStore], T]) -> T:
        """Run a query in the store's thread, after every write queued before it."""
        return await asyncio.wrap_future(self._store_thread.submit(query, self.store))

    def flush_writes(self) -> None:
        """Block until every write asked for so far is committed (at shutdown)."""
        self._store_thread.submit(lambda: None).result()

    # -- the command palette ------------------------------------------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from quiz_app.ui.commands import app_commands

        yield from app_commands(self)

    def go_home(self) -> HomeScreen | None:
        """Back to the banks from wherever the player is (answers given are kept, as Escape keeps them)."""
        from quiz_app.ui.screens.home import HomeScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen):
            finalise = getattr(self.screen, "finalise", None)
            if finalise is not None:
                finalise()
            self.pop_screen()
        return self.screen if isinstance(self.screen, HomeScreen) else None

    def open_bank(self, bank: Bank) -> None:
        home = self.go_home()
        if home is not None:
            home.open(bank)

    def open_review(self) -> None:
        home = self.go_home()
        if home is not None:
            home.action_review()

    def open_stats(self) -> None:
        from quiz_app.ui.screens.stats import StatsScreen

        if not isinstance(self.screen, StatsScreen):
            self.push_screen(StatsScreen())

    def open_report(self) -> None:
        from quiz_app.ui.screens.report import ReportScreen

        if self.served:
            return
        if not isinstance(self.screen, ReportScreen):
            self.push_screen(ReportScreen())

    # -- actions ------------------------------------------------------------------------------
    def action_help(self) -> None:
        from quiz_app.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        for screen in self.screen_stack:
            finalise = getattr(screen, "finalise", None)
            if finalise is not None:
                finalise()
        self.runner.cancel()  # a snippet still running must not hold the exit up
        self.exit(0)
