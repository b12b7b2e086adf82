"""Start-up budget: the first frame within 0.5 s and idle memory under 120 MB, on the real lessons.

Each run is a fresh interpreter running the app headless at 80x24, timed from just before the
process starts (so interpreter start-up and imports count) to Textual's `Ready` event, which is
sent once the first frame has been drawn. The CPU time to the first frame is held to the budget
exactly; the wall time is stretched by the machine's load, since other processes hold it up.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

FIRST_FRAME_BUDGET_S = 0.5
IDLE_MEMORY_BUDGET_MB = 120.0
RETRIES = 4

PROBE = """
import json, sys, time
from cnntui.ui.app import CnnTuiApp

class Probe(CnnTuiApp):
    def on_ready(self):
        self.first_frame = time.time()
        self.first_frame_cpu = time.process_time()
        if sys.argv[1] == "frame":
            self.exit()
        else:
            self.set_interval(0.05, self.check)

    def check(self):
        screen = self.lessons_screen()
        if screen is not None and screen.current is not None and not hasattr(self, "ready_at"):
            self.ready_at = time.time()
            self.set_timer(0.5, self.measure)

    def measure(self):
        rss_kb = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS"))
        self.rss_mb = rss_kb / 1024
        self.exit()

app = Probe()
app.run(headless=True, size=(80, 24))
print(json.dumps({"first_frame": app.first_frame, "first_frame_cpu": app.first_frame_cpu, "ready": getattr(app, "ready_at", None),
                  "rss_mb": getattr(app, "rss_mb", None)}))
"""


def probe(kind: str, state: Path) -> tuple[float, dict[str, float]]:
    env_state = {"XDG_STATE_HOME": str(state)}
    started = time.time()
    result = subprocess.run(
        [sys.executable, "-c", PROBE, kind],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env_state},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return started, json.loads(result.stdout.strip().splitlines()[-1])


def load_factor() -> float:
    """How oversubscribed the CPUs are (1 on an idle machine): wall time stretches by about this."""
    try:
        return max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
    except OSError:
        return 1.0


def test_first_frame_and_idle_memory_within_budget(tmp_path: Path) -> None:
    started, report = probe("idle", tmp_path / "state")
    assert report["ready"] is not None, "the lessons never appeared"
    assert report["rss_mb"] < IDLE_MEMORY_BUDGET_MB, f"idle memory {report['rss_mb']:.1f} MB"
    # The work to the first frame (CPU seconds, interpreter start-up included) does not depend on
    # what else the machine is doing, so it meets the budget exactly.
    assert report["first_frame_cpu"] < FIRST_FRAME_BUDGET_S, (
        f"{report['first_frame_cpu']:.3f} CPU s"
    )
    # Wall time does: on a busy machine it is compared with the budget stretched by the load, and
    # a run over budget is retried, the best run counting.
    budget = FIRST_FRAME_BUDGET_S * load_factor()
    timings = [report["first_frame"] - started]
    while min(timings) >= budget and len(timings) < RETRIES:
        started, again = probe("frame", tmp_path / f"state{len(timings)}")
        timings.append(again["first_frame"] - started)
    best = min(timings)
    assert best < budget, (
        f"first frame took {best:.3f} s at best ({', '.join(f'{t:.3f}' for t in timings)}); budget {budget:.2f} s"
    )


if __name__ == "__main__":
    # `python tests/test_app_startup.py [RUNS]`: print the numbers behind docs/benchmarks.md.
    import tempfile

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as folder:
        for run in range(runs):
            started, report = probe("idle", Path(folder) / f"state{run}")
            print(
                f"run {run + 1}: first frame {report['first_frame'] - started:.3f} s wall, "
                f"{report['first_frame_cpu']:.3f} s CPU; lessons shown {report['ready'] - started:.3f} s; "
                f"idle RSS {report['rss_mb']:.1f} MB; load {os.getloadavg()[0]:.2f}"
            )
