"""Optimisers and schedules against PyTorch's update rules; their state through .npz and back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cnntui.engine import optim
from cnntui.engine.module import Parameter

torch = pytest.importorskip("torch")


def make_params(seed: int = 0) -> tuple[list[Parameter], list[Any]]:
    rng = np.random.default_rng(seed)
    arrays = [
        rng.standard_normal((3, 4)).astype(np.float32),
        rng.standard_normal(5).astype(np.float32),
    ]
    ours = [Parameter(a.shape, data=a.copy()) for a in arrays]
    theirs = [torch.nn.Parameter(torch.from_numpy(a.copy())) for a in arrays]
    return ours, theirs


def run_steps(
    ours_opt: optim.Optimizer,
    theirs_opt: Any,
    ours: list[Parameter],
    theirs: list[Any],
    steps: int,
    start: int = 0,
) -> None:
    for step in range(start, start + steps):
        rng = np.random.default_rng(100 + step)
        for p, tp in zip(ours, theirs):
            g = rng.standard_normal(p.shape).astype(np.float32)
            p.grad = g.copy()
            tp.grad = torch.from_numpy(g.copy())
        ours_opt.step()
        theirs_opt.step()


def assert_close(ours: list[Parameter], theirs: list[Any]) -> None:
    for p, tp in zip(ours, theirs):
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(lr=0.1),
        dict(lr=0.05, momentum=0.9),
        dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-2),
        dict(lr=0.05, momentum=0.5, dampening=0.3, weight_decay=5e-4),
    ],
    ids=str,
)
def test_sgd_matches_torch(kwargs: dict[str, Any]) -> None:
    ours, theirs = make_params()
    run_steps(optim.SGD(ours, **kwargs), torch.optim.SGD(theirs, **kwargs), ours, theirs, 6)
    assert_close(ours, theirs)


@pytest.mark.parametrize(
    "cls,tcls,kwargs",
    [
        (optim.Adam, "Adam", dict(lr=0.01)),
        (optim.Adam, "Adam", dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True)),
        (optim.AdamW, "AdamW", dict(lr=0.01, weight_decay=0.1)),
    ],
    ids=str,
)
def test_adam_matches_torch(cls: Any, tcls: str, kwargs: dict[str, Any]) -> None:
    ours, theirs = make_params()
    run_steps(cls(ours, **kwargs), getattr(torch.optim, tcls)(theirs, **kwargs), ours, theirs, 8)
    assert_close(ours, theirs)


def test_learning_rate_can_change_mid_run() -> None:
    ours, theirs = make_params()
    opt, topt = optim.SGD(ours, lr=0.1, momentum=0.9), torch.optim.SGD(theirs, lr=0.1, momentum=0.9)
    run_steps(opt, topt, ours, theirs, 3)
    opt.lr = 0.01
    topt.param_groups[0]["lr"] = 0.01
    run_steps(opt, topt, ours, theirs, 3, start=3)
    assert_close(ours, theirs)


def test_optimizer_state_round_trips_through_npz(tmp_path: Path) -> None:
    ours, theirs = make_params()
    opt, topt = optim.Adam(ours, lr=0.01), torch.optim.Adam(theirs, lr=0.01)
    run_steps(opt, topt, ours, theirs, 4)
    path = tmp_path / "opt.npz"
    np.savez(path, **{k: np.asarray(v) for k, v in opt.state_dict().items()})
    restored_params = [Parameter(p.shape, data=p.data.copy()) for p in ours]
    restored = optim.Adam(restored_params, lr=0.5)
    with np.load(path, allow_pickle=False) as data:
        restored.load_state_dict({k: data[k] for k in data.files})
    assert restored.lr == pytest.approx(0.01)
    run_steps(restored, topt, restored_params, theirs, 3, start=4)
    assert_close(restored_params, theirs)


@pytest.mark.parametrize(
    "make,tmake",
    [
        (
            lambda o: optim.StepLR(o, step_size=3, gamma=0.5),
            lambda o: torch.optim.lr_scheduler.StepLR(o, 3, 0.5),
        ),
        (
            lambda o: optim.CosineAnnealingLR(o, T_max=7, eta_min=0.001),
            lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 7, 0.001),
        ),
    ],
    ids=["step", "cosine"],
)
def test_schedules_match_torch(make: Any, tmake: Any) -> None:
    ours, theirs = make_params()
    opt, topt = optim.SGD(ours, lr=0.1), torch.optim.SGD(theirs, lr=0.1)
    sched, tsched = make(opt), tmake(topt)
    for _ in range(9):
        assert opt.lr == pytest.approx(topt.param_groups[0]["lr"], rel=1e-9)
        sched.step()
        topt.step()
        tsched.step()
    state = sched.state_dict()
    again = make(optim.SGD([Parameter((1,), data=np.zeros(1, np.float32))], lr=0.1))
    again.load_state_dict(state)
    assert again.optimizer.lr == pytest.approx(opt.lr)


def test_optimizer_argument_errors() -> None:
    ours, _ = make_params()
    with pytest.raises(ValueError, match="Nesterov"):
        optim.SGD(ours, lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="no trainable"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="betas"):
        optim.Adam(ours, betas=(1.0, 0.9))
