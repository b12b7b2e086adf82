"""Training runs: settings, the loop, its own process, events, checkpoints and past runs.

```python
from cnntui.train import RunConfig, Trainer
summary = Trainer(RunConfig(model="lenet5", dataset="digits"), run_dir, print).run()
```

`Trainer` trains in the calling process (what `cnntui train` does); `RunnerProcess` runs one in a
child process and streams its events (what the Train mode does). Pure: NumPy and the engine,
never Textual, Rich or (unless the GPU is asked for) CuPy.

The names below are imported on first use, so `cnntui.train.config` (what `cnntui train --help`
needs) loads without NumPy.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "CheckpointError": "cnntui.train.checkpoint",
    "load_checkpoint": "cnntui.train.checkpoint",
    "read_run_info": "cnntui.train.checkpoint",
    "RunConfig": "cnntui.train.config",
    "Command": "cnntui.train.events",
    "RunnerProcess": "cnntui.train.runner",
    "delete_run": "cnntui.train.runs",
    "list_runs": "cnntui.train.runs",
    "new_run_dir": "cnntui.train.runs",
    "runs_dir": "cnntui.train.runs",
    "Trainer": "cnntui.train.trainer",
    "TrainingError": "cnntui.train.trainer",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cnntui.train' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
