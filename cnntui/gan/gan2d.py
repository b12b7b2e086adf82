"""A 2-D GAN of small engine MLPs, stepped whole or through its numbered sub-steps.

The generator maps noise `z` `(n, noise_dim)` ~ N(0, I) to points `(n, 2)`; the discriminator maps
points `(n, 2)` to one raw output each `(n, 1)` (a logit, or LSGAN's score). Both are
`Linear → LeakyReLU(0.2)` stacks from `cnntui.engine.nn`, trained with the engine's optimisers.

One *iteration* (one step of the step counter) is `d_steps` discriminator updates followed by one
generator update. Each update walks the same numbered sub-steps, which slow motion shows one by one:

1. sample noise (and, for D, a real batch)   4. compute the loss
2. generate points from the noise            5. compute the gradients (backward passes)
3. discriminate: D scores real and fake      6. update the parameters (optimiser step)

`Gan2d.updates(which)` is a Python generator that does the work of one sub-step between yields, so
`step()` (which exhausts it) and slow motion share one code path. Everything here runs off the UI
thread; `snapshot()` copies out what a view draws.

Evaluation uses fixed sets drawn once from the seed: `EVAL_POINTS` real points and as many noise
vectors, so the JS divergence and the losses in `history` move only because the nets changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from cnntui.gan import distributions
from cnntui.gan.divergence import DEFAULT_BINS, grid_histogram, js_divergence_histograms
from cnntui.gan.losses import (
    LOSS_NAMES,
    belief,
    check_loss,
    discriminator_loss,
    generator_loss,
)
from cnntui.i18n import N_, _

OPTIMIZERS = ("adam", "sgd")
EVAL_POINTS = 2000
"""Size of the fixed real and noise sets used for the divergence and the logged losses."""

SUBSTEP_TITLES: dict[int, str] = {
    1: N_("sample noise z"),
    2: N_("generate G(z)"),
    3: N_("discriminate D(x), D(G(z))"),
    4: N_("compute the loss"),
    5: N_("compute the gradients"),
    6: N_("update the parameters"),
}


@dataclass(frozen=True)
class Gan2dSettings:
    """Everything that defines a 2-D GAN run. Changing `noise_dim`, `hidden`, `layers`, `data`,
    `cells` or `seed` needs a new `Gan2d`; the rest can change between steps (`Gan2d.configure`)."""

    data: str = "ring"
    loss: str = "nonsaturating"
    noise_dim: int = 2
    hidden: int = 64
    layers: int = 2
    g_lr: float = 2e-3
    d_lr: float = 2e-3
    g_optimizer: str = "adam"
    d_optimizer: str = "adam"
    d_steps: int = 1
    batch: int = 128
    seed: int = 0
    cells: frozenset[tuple[int, int]] = field(default_factory=frozenset)

    def validate(self) -> None:
        """Raise ValueError with a one-line reason when a setting is out of range."""
        distributions.get(self.data, self.cells)
        check_loss(self.loss)
        for name, value, low, high in (
            ("noise_dim", self.noise_dim, 1, 16),
            ("hidden", self.hidden, 1, 512),
            ("layers", self.layers, 1, 6),
            ("d_steps", self.d_steps, 1, 10),
            ("batch", self.batch, 1, 4096),
        ):
            if not low <= value <= high:
                raise ValueError(
                    _("{name} must be between {low} and {high}, got {value}").format(
                        name=name, low=low, high=high, value=value
                    )
                )
        for name, lr in (("g_lr", self.g_lr), ("d_lr", self.d_lr)):
            if not (np.isfinite(lr) and 0 < lr <= 1):
                raise ValueError(_("{name} must be in (0, 1], got {lr}").format(name=name, lr=lr))
        for name, opt in (("g_optimizer", self.g_optimizer), ("d_optimizer", self.d_optimizer)):
            if opt not in OPTIMIZERS:
                raise ValueError(
                    _("{name} must be one of {choices}, got '{value}'").format(
                        name=name, choices=", ".join(OPTIMIZERS), value=opt
                    )
                )


@dataclass(frozen=True)
class SubStep:
    """Where an update is: sub-step `number` (1–6) of a `net` ("D" or "G") update."""

    number: int
    net: str
    detail: str

    @property
    def title(self) -> str:
        """The sub-step's title in the current language."""
        return _(SUBSTEP_TITLES[self.number])


@dataclass(frozen=True)
class HistoryPoint:
    """Losses on the fixed evaluation sets and the grid JS divergence (bits) after `step`."""

    step: int
    d_loss: float
    g_loss: float
    js_divergence: float

    def as_dict(self) -> dict[str, float | int]:
        return {
            "step": self.step,
            "d_loss": self.d_loss,
            "g_loss": self.g_loss,
            "js_divergence": self.js_divergence,
        }


@dataclass(frozen=True, eq=False)
class Snapshot:
    """What a view draws, copied out of the model (safe to hand to the UI thread).

    `real` and `fake` are `(k, 2)` display samples; `field` is D's belief `(rows, cols)` on the cell
    centres of the plane (row 0 at the top); `arrows` is `(k, 2)`: for each fake point, the
    direction that lowers the generator's loss (−∂L_G/∂x), unnormalised.
    """

    step: int
    settings: Gan2dSettings
    real: np.ndarray
    fake: np.ndarray
    field: np.ndarray | None
    arrows: np.ndarray | None
    history: tuple[HistoryPoint, ...]
    substep: SubStep | None = None


def build_mlp(inputs: int, hidden: int, layers: int, outputs: int) -> Any:
    """`layers` hidden `Linear → LeakyReLU(0.2)` blocks of width `hidden`, then `Linear(…, outputs)`."""
    from cnntui.engine import nn

    blocks: list[Any] = []
    width = inputs
    for _layer in range(layers):
        blocks += [nn.Linear(width, hidden), nn.LeakyReLU(0.2)]
        width = hidden
    blocks.append(nn.Linear(width, outputs))
    return nn.Sequential(*blocks)


def make_optimizer(name: str, params: list[Any], lr: float) -> Any:
    """Adam with β₁ = 0.5 (the DCGAN paper's choice, steadier for GANs) or plain SGD."""
    from cnntui.engine import optim

    if name == "adam":
        return optim.Adam(params, lr=lr, betas=(0.5, 0.999))
    if name == "sgd":
        return optim.SGD(params, lr=lr)
    raise ValueError(
        _("unknown optimiser '{name}'; choose one of {value}").format(
            name=name, value=", ".join(OPTIMIZERS)
        )
    )


class Gan2d:
    """A 2-D GAN run: generator, discriminator, optimisers, fixed evaluation sets and history."""

    def __init__(self, settings: Gan2dSettings | None = None) -> None:
        self.settings = settings or Gan2dSettings()
        self.settings.validate()
        s = self.settings
        self.distribution = distributions.get(s.data, s.cells)
        init_rng = np.random.default_rng([s.seed, 1])
        self.rng = np.random.default_rng([s.seed, 2])  # training batches
        eval_rng = np.random.default_rng([s.seed, 3])
        self.generator = build_mlp(s.noise_dim, s.hidden, s.layers, 2)
        self.discriminator = build_mlp(2, s.hidden, s.layers, 1)
        for net in (self.generator, self.discriminator):
            for p in net.parameters():
                p.materialize(init_rng)
        self.g_optimizer = make_optimizer(s.g_optimizer, list(self.generator.parameters()), s.g_lr)
        self.d_optimizer = make_optimizer(
            s.d_optimizer, list(self.discriminator.parameters()), s.d_lr
        )
        self.eval_real = self.distribution.sample(EVAL_POINTS, eval_rng).astype(np.float32)
        self.eval_noise = eval_rng.standard_normal((EVAL_POINTS, s.noise_dim)).astype(np.float32)
        self.real_histogram = grid_histogram(self.eval_real, DEFAULT_BINS)
        self.step_count = 0
        self._caches_valid = False  # the layers' caches still hold this update's forward passes
        self.d_updates = 0
        self.g_updates = 0
        self.history: list[HistoryPoint] = [self.evaluate()]

    # -- settings -------------------------------------------------------------------------------

    def configure(self, **changes: Any) -> None:
        """Change settings that do not alter the nets' shapes (loss, learning rates, optimisers,
        d_steps, batch). An optimiser change starts that optimiser afresh."""
        structural = {"data", "noise_dim", "hidden", "layers", "seed", "cells"} & set(changes)
        if structural:
            raise ValueError(
                _("changing {value} needs a new run (reset)").format(
                    value=", ".join(sorted(structural))
                )
            )
        new = replace(self.settings, **changes)
        new.validate()
        old, self.settings = self.settings, new
        if new.g_optimizer != old.g_optimizer:
            self.g_optimizer = make_optimizer(
                new.g_optimizer, list(self.generator.parameters()), new.g_lr
            )
        if new.d_optimizer != old.d_optimizer:
            self.d_optimizer = make_optimizer(
                new.d_optimizer, list(self.discriminator.parameters()), new.d_lr
            )
        self.g_optimizer.lr = new.g_lr
        self.d_optimizer.lr = new.d_lr

    # -- training -------------------------------------------------------------------------------

    def updates(self, which: str = "both") -> Iterator[SubStep]:
        """One training iteration as sub-steps: `both` (d_steps D updates, then one G update,
        counting one step), `d` (one D update) or `g` (one G update); `d`/`g` do not count a step."""
        if which not in ("both", "d", "g"):
            raise ValueError(_("which must be both, d or g, got '{which}'").format(which=which))
        plan = ["D"] * self.settings.d_steps + ["G"] if which == "both" else [which.upper()]
        for net in plan:
            if net == "D":
                yield from self._discriminator_update()
            else:
                yield from self._generator_update()
        if which == "both":
            self.step_count += 1

    def step(self, which: str = "both") -> None:
        """Run one iteration (or one D / G update) without pausing at sub-steps."""
        for _substep in self.updates(which):
            pass

    def train(self, steps: int, record_every: int = 50) -> None:
        """`steps` iterations, appending to `history` every `record_every` steps and at the end."""
        for _step in range(steps):
            self.step()
            if self.step_count % record_every == 0:
                self.record()
        if self.history[-1].step != self.step_count:
            self.record()

    def record(self) -> HistoryPoint:
        """Evaluate now and append to `history` (replacing an entry for the same step)."""
        point = self.evaluate()
        if self.history and self.history[-1].step == point.step:
            self.history[-1] = point
        else:
            self.history.append(point)
        return point

    def _noise(self, n: int) -> np.ndarray:
        return self.rng.standard_normal((n, self.settings.noise_dim)).astype(np.float32)

    def _discriminator_update(self) -> Iterator[SubStep]:
        s, n = self.settings, self.settings.batch
        z = self._noise(n)
        real = self.distribution.sample(n, self.rng).astype(np.float32)
        self.last_noise, self.last_real = z, real
        yield SubStep(1, "D", _("draw {n} noise vectors and {n} real points").format(n=n))
        fake = self.generator.forward(z)
        self.last_fake = fake
        yield SubStep(2, "D", _("G turns the noise into {n} fake points").format(n=n))
        both = np.concatenate([real, fake], axis=0)
        self._caches_valid = True
        scores = self.discriminator.forward(both)
        self.last_scores = (scores[:n], scores[n:])
        yield SubStep(
            3,
            "D",
            _("D scores all {count} points (mean belief real {real}, fake {fake})").format(
                count=2 * n,
                real=f"{_mean(belief(s.loss, scores[:n])):.2f}",
                fake=f"{_mean(belief(s.loss, scores[n:])):.2f}",
            ),
        )
        loss = discriminator_loss(s.loss, scores[:n], scores[n:])
        self.last_d_loss = float(loss.value)
        yield SubStep(4, "D", _("D loss = {loss}").format(loss=f"{self.last_d_loss:.4f}"))
        self.discriminator.zero_grad()
        if not self._caches_valid:  # a view evaluated the nets since the forward pass
            self.discriminator.forward(both)
        self.discriminator.backward(np.concatenate([loss.grad_real, loss.grad_fake], axis=0))
        yield SubStep(5, "D", _("backward through D only: G is not changed by a D step"))
        self.d_optimizer.step()
        self.d_updates += 1
        yield SubStep(
            6,
            "D",
            _("{optimizer} step on D (lr {lr})").format(optimizer=s.d_optimizer, lr=f"{s.d_lr:g}"),
        )

    def _generator_update(self) -> Iterator[SubStep]:
        s, n = self.settings, self.settings.batch
        z = self._noise(n)
        self.last_noise = z
        yield SubStep(1, "G", _("draw {n} noise vectors").format(n=n))
        self._caches_valid = True
        fake = self.generator.forward(z)
        self.last_fake = fake
        yield SubStep(2, "G", _("G turns the noise into {n} fake points").format(n=n))
        scores = self.discriminator.forward(fake)
        self.last_scores = (None, scores)
        yield SubStep(
            3,
            "G",
            _("D scores the fakes (mean belief real {real})").format(
                real=f"{_mean(belief(s.loss, scores)):.2f}"
            ),
        )
        loss = generator_loss(s.loss, scores)
        self.last_g_loss = float(loss.value)
        yield SubStep(4, "G", _("G loss = {loss}").format(loss=f"{self.last_g_loss:.4f}"))
        self.generator.zero_grad()
        if not self._caches_valid:  # a view evaluated the nets since the forward pass
            self.discriminator.forward(self.generator.forward(z))
        grad_points = self.discriminator.backward(loss.grad_fake)
        self.discriminator.zero_grad()  # D's gradients from this pass are not used
        self.last_point_grads = grad_points
        self.generator.backward(grad_points)
        yield SubStep(5, "G", _("backward through D to the points, then through G"))
        self.g_optimizer.step()
        self.g_updates += 1
        yield SubStep(
            6,
            "G",
            _("{optimizer} step on G (lr {lr}); D is unchanged").format(
                optimizer=s.g_optimizer, lr=f"{s.g_lr:g}"
            ),
        )

    # -- evaluation and views ---------------------------------------------------------------------

    def generate(self, noise: np.ndarray) -> np.ndarray:
        """Generator output `(n, 2)` for noise `(n, noise_dim)`."""
        self._caches_valid = False
        return np.asarray(self.generator.forward(np.asarray(noise, dtype=np.float32)))

    def evaluate(self) -> HistoryPoint:
        """Losses on the fixed sets and the grid JS divergence of G(eval noise) to the real set."""
        s = self.settings
        fake = self.generate(self.eval_noise)
        real_scores = self.discriminator.forward(self.eval_real)
        fake_scores = self.discriminator.forward(fake)
        d_loss = float(discriminator_loss(s.loss, real_scores, fake_scores).value)
        g_loss = float(generator_loss(s.loss, fake_scores).value)
        js = js_divergence_histograms(self.real_histogram, grid_histogram(fake, DEFAULT_BINS))
        return HistoryPoint(self.step_count, d_loss, g_loss, js)

    def js_divergence(self) -> float:
        """The current grid JS divergence (bits) between G(eval noise) and the real set."""
        fake = self.generate(self.eval_noise)
        return js_divergence_histograms(self.real_histogram, grid_histogram(fake, DEFAULT_BINS))

    def field(self, cols: int, rows: int) -> np.ndarray:
        """D's belief that a point is real at each cell centre of a `rows × cols` grid over the
        plane, shape `(rows, cols)`, row 0 at the top."""
        self._caches_valid = False
        low, high = distributions.EXTENT
        xs = low + (np.arange(cols) + 0.5) * (high - low) / cols
        ys = high - (np.arange(rows) + 0.5) * (high - low) / rows
        gx, gy = np.meshgrid(xs, ys)
        points = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
        scores = self.discriminator.forward(points)
        return np.asarray(belief(self.settings.loss, scores), dtype=np.float64).reshape(rows, cols)

    def generator_gradients(self, points: np.ndarray) -> np.ndarray:
        """−∂L_G/∂x at each point `(n, 2)`: where the generator wants to move its samples."""
        self._caches_valid = False
        pts = np.asarray(points, dtype=np.float32)
        scores = self.discriminator.forward(pts)
        loss = generator_loss(self.settings.loss, scores)
        params = list(self.discriminator.parameters())
        kept = [
            None if p.grad is None else p.grad.copy() for p in params
        ]  # mid-update in slow motion
        grads = self.discriminator.backward(loss.grad_fake)
        for p, grad in zip(params, kept):
            p.grad = grad
        return -np.asarray(grads, dtype=np.float64) * len(pts)  # undo the batch mean: per point

    def snapshot(
        self,
        points: int = 300,
        field_size: tuple[int, int] | None = (40, 20),
        arrows: int = 0,
        substep: SubStep | None = None,
    ) -> Snapshot:
        """Display samples (the first `points` of the fixed sets), the field and `arrows` arrows."""
        fake = self.generate(self.eval_noise[:points]).astype(np.float64)
        real = self.eval_real[:points].astype(np.float64)
        fld = self.field(*field_size) if field_size else None
        arr = self.generator_gradients(fake[:arrows]) if arrows else None
        return Snapshot(
            step=self.step_count,
            settings=self.settings,
            real=real,
            fake=fake,
            field=fld,
            arrows=arr,
            history=tuple(self.history),
            substep=substep,
        )

    def summary(self) -> dict[str, Any]:
        """The headless result: final losses, JS divergence and the history from step 0."""
        last = self.history[-1] if self.history[-1].step == self.step_count else self.record()
        return {
            "steps": self.step_count,
            "d_loss": last.d_loss,
            "g_loss": last.g_loss,
            "js_divergence": last.js_divergence,
            "history": [h.as_dict() for h in self.history],
        }


def _mean(a: Any) -> float:
    return float(np.asarray(a).mean())


__all__ = [
    "LOSS_NAMES",
    "OPTIMIZERS",
    "Gan2d",
    "Gan2dSettings",
    "HistoryPoint",
    "Snapshot",
    "SubStep",
    "build_mlp",
]
