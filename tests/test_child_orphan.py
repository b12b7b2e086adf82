"""A run whose app process dies alone (SIGHUP sent to it only, or a served session killed) is
treated like a dropped SSH connection: it checkpoints and stops instead of training for nobody."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cnntui.train.checkpoint import load_checkpoint

APP = """
import sys, time
from cnntui.train.config import RunConfig
from cnntui.train.events import EpochEnd
from cnntui.train.runner import RunnerProcess
config = RunConfig(model="lenet5", dataset="digits", input_size=8, batch_size=32, limit=320,
                   epochs=400, seed=1)
runner = RunnerProcess(config, sys.argv[1])
runner.start()
runner.wait_for(EpochEnd, timeout=60)   # it is training and has finished one epoch
print(runner.pid, flush=True)
time.sleep(120)
"""


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state == "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_run_checkpoints_and_stops_when_its_app_is_hung_up(tmp_path: Path) -> None:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    app = subprocess.Popen(
        [sys.executable, "-c", APP, str(tmp_path)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert app.stdout is not None
        child = int(app.stdout.readline())
        app.send_signal(signal.SIGHUP)  # the app alone, as `kill -HUP` would
        assert app.wait(10) == -signal.SIGHUP
        deadline = time.monotonic() + 30
        while not _gone(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _gone(child), "the run kept going after its app was gone"
    finally:
        app.kill()
        app.wait()
    info, model, _ = load_checkpoint(tmp_path)
    assert not info["finished"] and info["epoch"] >= 1 and "c1.weight" in model
