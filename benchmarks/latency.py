"""Key -> frame latency of the cnntui app: how long a learner waits after pressing a key.

Each measurement drives the real app headless with Textual's Pilot. The key goes in through the
headless driver, as a terminal's would, and the clock stops at the first frame the app composes
whose content shows the key's effect: the next lesson's title and text, a lab's ready content
(not a "loading" placeholder), the Conv Lab's next position, the next model's header and table.
Frames are caught by wrapping `App._display`, which every screen update goes through (headless,
it receives the finished update and only skips writing it to a terminal).

Actions:

* `lesson (first visit)` / `lesson (again)`: `n` to a lesson not shown before, then `p` back;
* `open LAB`: the lab's number key, the first time it opens in a fresh process (imports and all),
  after the app has been open for `--settle` seconds with the first lesson shown (the samples
  say whether the app had finished preparing the lab in the background by then: `prepared`);
* `conv step`: `right` in the Conv Lab;
* `models key`: `down` in the Models list (each press shows the next architecture).

`--training yes` keeps a LeNet-5 run training in the Train lab of the same app (its own process,
its curves drawn by the app) while measuring; opening the Train lab itself is then measured with
`cnntui train` running beside the app, since a run cannot start there before the lab opens.
Every session runs in a fresh interpreter with a temporary config, state and data folder.

Usage:

    python benchmarks/latency.py                   # table: both without and with training
    python benchmarks/latency.py --training no --repeat 3 --json
    python benchmarks/latency.py --session lessons --profile lessons.prof   # where the time goes
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App
    from textual.pilot import Pilot

ROOT = Path(__file__).resolve().parent.parent
LABS = ("conv", "calc", "models", "train", "gan")
SESSIONS = ("lessons", *LABS)
TRAINING_LINK = "cnntui:train?model=lenet5&dataset=digits&epochs=200&start=yes"
"""A run long enough to outlast a session (about 0.2 s an epoch on two cores)."""
TIMEOUT_S = 30.0
ISOLATED_ENV = "CNNTUI_LATENCY_SESSION"
"""Set in a session's environment once its folders are temporary ones."""


# -- inside a session (the child process) ------------------------------------------------------


class FrameClock:
    """Catches the app's frames and times keys until a frame shows what `ready` looks for."""

    def __init__(self, app: App[Any], profile: cProfile.Profile | None = None) -> None:
        self.app = app
        self.profile = profile
        self._display = app._display
        self._waiting: tuple[Callable[[], bool], asyncio.Future[tuple[float, float]]] | None = None
        app._display = self._on_display  # type: ignore[method-assign]

    def _on_display(self, screen: Any, renderable: Any) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self._display(screen, renderable)
        if renderable is None or self._waiting is None or screen is not self.app.screen:
            return
        ready, future = self._waiting
        try:
            shown = ready()
        except Exception:  # a widget looked for is not mounted yet
            shown = False
        if shown and not future.done():
            self._waiting = None
            # Textual may write frames from its own thread: wake the event loop safely.
            future.get_loop().call_soon_threadsafe(_settle, future, (wall, cpu))

    def screen_text(self) -> str:
        """The whole screen as the terminal would show it after the latest frame."""
        strips = self.app.screen._compositor.render_strips()
        return "\n".join(strip.text for strip in strips)

    async def key(self, key: str, ready: Callable[[], bool]) -> tuple[float, float]:
        """Send `key`; (wall seconds, process CPU seconds) until a frame satisfies `ready`."""
        from textual import events

        future: asyncio.Future[tuple[float, float]] = asyncio.get_running_loop().create_future()
        self._waiting = (ready, future)
        driver = self.app._driver
        assert driver is not None
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(self.app)
        if self.profile is not None:
            self.profile.enable()
        wall, cpu = time.perf_counter(), time.process_time()
        driver.send_message(event)
        try:
            shown_wall, shown_cpu = await asyncio.wait_for(future, TIMEOUT_S)
        except TimeoutError:
            raise TimeoutError(
                f"{key!r}: no frame showed its effect in {TIMEOUT_S:.0f} s; the screen:\n"
                + f"(mode {getattr(self.app, 'current_mode', None)!r})\n"
                + self.screen_text()
            ) from None
        finally:
            if self.profile is not None:
                self.profile.disable()
        return shown_wall - wall, shown_cpu - cpu


def _settle(future: asyncio.Future[tuple[float, float]], value: tuple[float, float]) -> None:
    if not future.done():
        future.set_result(value)


async def _idle(pilot: Pilot[Any], seconds: float) -> None:
    await pilot.pause(seconds)
    await pilot.wait_for_scheduled_animations()


async def _wait(pilot: Pilot[Any], condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


def _visible(app: App[Any], kind: type) -> list[Any]:
    return [w for w in app.screen._compositor.visible_widgets if isinstance(w, kind)]


def _lab_ready(clock: FrameClock, lab: str) -> Callable[[], bool]:
    """Whether the frame shows the lab with its content (not only its frame or a placeholder)."""
    markers = {
        "conv": "Position 1 of",
        "calc": "Receptive field",
        "models": "Params in conv",
        "train": "data set",
        "gan": "Generative: counts",
    }
    app = clock.app
    return lambda: app.current_mode == lab and markers[lab] in clock.screen_text()


async def _start_training(pilot: Pilot[Any]) -> None:
    """Start a LeNet-5 run in the Train lab and come back to the Lessons once it trains."""
    app: Any = pilot.app
    await app.follow_link(TRAINING_LINK)
    await _wait(
        pilot,
        lambda: any(run.state == "running" and run.last_step for run in app.screen.runs),
        "the training run to start",
    )
    await app.switch_mode("lessons")
    await _idle(pilot, 1.0)


async def _session(
    name: str,
    training: bool,
    size: tuple[int, int],
    settle: float,
    think: float,
    profile: cProfile.Profile | None = None,
) -> list[dict]:
    sys.path.insert(0, str(ROOT))
    from textual.widgets._markdown import MarkdownBlock

    from cnntui.settings import Settings
    from cnntui.ui.app import CnnTuiApp
    from cnntui.ui.modes import mode_named

    app = CnnTuiApp(settings=Settings())
    results: list[dict] = []
    async with app.run_test(size=size) as pilot:
        clock = FrameClock(app, profile)
        await _wait(pilot, lambda: app.lessons is not None and app.lessons_screen(), "lessons")
        screen = app.lessons_screen()
        assert screen is not None
        await _wait(pilot, lambda: screen.current is not None, "the first lesson")
        await _idle(pilot, settle)
        if training and name != "train":
            await _start_training(pilot)

        def record(action: str, timing: tuple[float, float]) -> None:
            results.append({"action": action, "wall_s": timing[0], "cpu_s": timing[1]})

        if name == "lessons":
            lessons = app.lessons or []

            def shows(index: int) -> Callable[[], bool]:
                lesson = lessons[index]

                def ready() -> bool:
                    return (
                        screen.current == lesson.name
                        and lesson.title[:24] in clock.screen_text()
                        and bool(_visible(app, MarkdownBlock))
                    )

                return ready

            for index in range(1, min(len(lessons), 7)):
                record("lesson (first visit)", await clock.key("n", shows(index)))
                await _idle(pilot, think)
                record("lesson (again)", await clock.key("p", shows(index - 1)))
                await _idle(pilot, think)
                await clock.key("n", shows(index))
                await _idle(pilot, think)
            return results

        key = mode_named(name).key
        prepared = name in getattr(app, "labs_built", ())  # absent before it existed
        record(f"open {name}", await clock.key(key, _lab_ready(clock, name)))
        results[-1]["prepared"] = prepared
        await _idle(pilot, 0.5)
        if name == "conv":
            conv: Any = app.screen
            for position in range(2, 12):

                def stepped(position: int = position) -> bool:
                    # The cheap check first: the screen's text is only read once it can match.
                    return conv.index + 1 == position and (
                        f"Position {position} of" in clock.screen_text()
                    )

                record("conv step", await clock.key("right", stepped))
                await _idle(pilot, think)
        elif name == "models":
            from cnntui import zoo

            names = zoo.names()
            for index in range(1, min(len(names), 12)):
                entry = zoo.get(names[index])
                models: Any = app.screen

                def ready(entry: Any = entry, models: Any = models) -> bool:
                    return models.model_name == entry.name and entry.title in clock.screen_text()

                record("models key", await clock.key("down", ready))
                await _idle(pilot, think)
    return results


def _isolated(env: dict[str, str], home: Path) -> dict[str, str]:
    """`env` for a session of its own: config, state, cache and data under `home` (so no
    learner's last mode or lesson changes what a key does), default colours and glyphs."""
    for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        folder = home / var.lower()
        folder.mkdir(parents=True, exist_ok=True)
        env[var] = str(folder)
    for var in ("CNNTUI_ASCII", "CNNTUI_DEVICE", "CNNTUI_LANG", "NO_COLOR", "TEXTUAL_COLOR_SYSTEM"):
        env.pop(var, None)
    env["TEXTUAL_ANIMATIONS"] = "none"
    env[ISOLATED_ENV] = "1"
    return env


def _child(args: argparse.Namespace) -> int:
    if not os.environ.get(ISOLATED_ENV):  # run by hand (`--session ... --profile`)
        home = Path(tempfile.mkdtemp(prefix="cnntui-latency-"))
        isolated = _isolated(dict(os.environ), home)
        for var in set(os.environ) - set(isolated):
            del os.environ[var]
        os.environ.update(isolated)
    size = _parse_size(args.size)
    profile = cProfile.Profile() if args.profile else None
    results = asyncio.run(
        _session(args.session, args.training == "yes", size, args.settle, args.think, profile)
    )
    if profile is not None:
        profile.dump_stats(args.profile)
    print(json.dumps(results))
    return 0


# -- the parent: runs sessions, prints the table -------------------------------------------------


def _parse_size(text: str) -> tuple[int, int]:
    width, _, height = text.partition("x")
    return int(width), int(height)


def _run_session(name: str, training: bool, args: argparse.Namespace, home: Path) -> list[dict]:
    env = _isolated(dict(os.environ), home)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    command = [
        sys.executable,
        __file__,
        "--session",
        name,
        "--training",
        "yes" if training else "no",
    ]
    command += ["--size", args.size, "--settle", str(args.settle), "--think", str(args.think)]
    beside = None
    if training and name == "train":
        # The lab is not open yet, so the run that keeps the machine busy trains beside the app.
        beside = subprocess.Popen(
            [sys.executable, "-m", "cnntui", "train", "lenet5", "--dataset", "digits"]
            + ["--epochs", "200", "--json"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(3.0)
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    finally:
        if beside is not None:
            beside.terminate()
            beside.wait(timeout=30)
    if done.returncode != 0:
        raise SystemExit(f"session {name} failed:\n{done.stderr[-3000:]}")
    results: list[dict] = json.loads(done.stdout.strip().splitlines()[-1])
    return results


def _summarise(rows: list[dict]) -> list[dict]:
    by_key: dict[tuple[str, bool], list[dict]] = {}
    for row in rows:
        by_key.setdefault((row["action"], row["training"]), []).append(row)
    table = []
    for (action, training), samples in by_key.items():
        walls = sorted(s["wall_s"] * 1000 for s in samples)
        cpus = sorted(s["cpu_s"] * 1000 for s in samples)
        prepared = [s["prepared"] for s in samples if "prepared" in s]
        table.append(
            {
                "action": action,
                "training": training,
                "n": len(samples),
                "prepared": sum(prepared) if prepared else None,
                "median_ms": round(statistics.median(walls), 1),
                "max_ms": round(walls[-1], 1),
                "cpu_median_ms": round(statistics.median(cpus), 1),
            }
        )
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--training", choices=("no", "yes", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=1, help="sessions of each kind (default 1)")
    parser.add_argument("--size", default="80x24", help="terminal size, WxH (default 80x24)")
    parser.add_argument(
        "--settle", type=float, default=2.0, help="seconds the app is open before the first key"
    )
    parser.add_argument(
        "--only", action="append", choices=SESSIONS, help="run only these sessions (repeatable)"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="seconds between keys, as a learner reads what the last key showed (default 1)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument(
        "--session",
        choices=SESSIONS,
        help="run one session in this process and print its raw samples (for profiling)",
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="with --session: cProfile the measured keys into FILE (pstats format)",
    )
    args = parser.parse_args(argv)
    if args.session:
        return _child(args)
    trainings = {"no": [False], "yes": [True], "both": [False, True]}[args.training]
    rows: list[dict] = []
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="cnntui-latency-") as tmp:
        for repeat in range(args.repeat):
            for training in trainings:
                for name in args.only or SESSIONS:
                    home = Path(tmp) / f"{name}-{training}-{repeat}"
                    for row in _run_session(name, training, args, home):
                        rows.append({**row, "training": training})
    table = _summarise(rows)
    machine = {
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    if args.json:
        document = {
            "size": args.size,
            "settle_s": args.settle,
            "think_s": args.think,
            "repeat": args.repeat,
            "seconds": round(time.time() - started, 1),
            "machine": machine,
            "summary": table,
            "samples": rows,
        }
        print(json.dumps(document, indent=2))
        return 0
    print(f"key -> frame latency at {args.size}, {args.repeat} session(s) of each kind")
    print(
        f"{'action':<24} {'training':<9} {'n':>3} {'median ms':>10} {'max ms':>8} {'CPU ms':>8}"
        f"  {'prepared':>8}"
    )
    for row in table:
        prepared = "" if row["prepared"] is None else f"{row['prepared']}/{row['n']}"
        print(
            f"{row['action']:<24} {'yes' if row['training'] else 'no':<9} {row['n']:>3} "
            f"{row['median_ms']:>10.1f} {row['max_ms']:>8.1f} {row['cpu_median_ms']:>8.1f}"
            f"  {prepared:>8}"
        )
    print(f"machine: {machine['cpus']} CPUs, load average {machine['load_average']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
