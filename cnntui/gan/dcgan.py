"""DCGAN on images: an all-convolutional generator and discriminator from engine layers.

Generator (noise `(N, nz, 1, 1)` → images `(N, 1, H, W)` in [−1, 1]): transposed convolutions
with batch norm and ReLU, ending in tanh. Discriminator (images → raw outputs `(N, 1, 1, 1)`):
strided convolutions with leaky ReLU (slope 0.2) and batch norm in the middle, no pooling and no
fully connected layers (Radford, Metz & Chintala, 2015). Weights start from N(0, 0.02), batch-norm
scales from N(1, 0.02), as in the paper.

| data set | noise | generator sizes                 | discriminator sizes            |
|----------|-------|---------------------------------|--------------------------------|
| digits   | 32    | 1×1 → 2×2 → 4×4 → 8×8           | 8×8 → 4×4 → 2×2 → 1×1          |
| shapes   | 64    | 1×1 → 7×7 → 14×14 → 28×28       | 28×28 → 14×14 → 7×7 → 1×1      |

Training uses the non-saturating loss and Adam (lr 2e-4, β = (0.5, 0.999)). Each batch: D sees
the real batch and a generated batch separately (so batch norm never mixes them), then G is
updated through D. After every epoch a grid of samples is drawn from fixed noise (the learner
watches the same noise turn into digits) and a diversity number is measured:

    diversity = mean pairwise distance between the fixed-noise samples
                / mean pairwise distance between as many real images

about 1 when the samples vary as much as the data, near 0 when the generator has collapsed onto
one picture (mode collapse).

`DcganRun` is one run with its own folder: `checkpoint.npz` (both nets and both optimisers, no
pickle), `run.json` (settings, progress, history, the generator state), `samples/epoch-NNN.pgm`
(and `.png` with Pillow). It is pure and synchronous; `cnntui.gan.process` runs it in a child
process for the UI.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from cnntui import userfile
from cnntui.atomic import write_text_atomic
from cnntui.engine.backend import array_module, to_host
from cnntui.errors import UsageError
from cnntui.gan import images
from cnntui.gan.losses import fake_term, generator_loss, real_term
from cnntui.i18n import N_, Message, _

DATASETS = ("digits", "shapes")
NOISE_DIMS = {"digits": 32, "shapes": 64}
GRID_SAMPLES = 64
"""Samples in the fixed-noise grid (8 × 8)."""
SHAPES_COUNT = 3000
"""How many synthetic `shapes` images a run trains on."""
FORMAT = 1
"""Version of the run folder layout, checked on resume."""


@dataclass(frozen=True)
class DcganSettings:
    """What defines a DCGAN run (saved in `run.json`)."""

    dataset: str = "digits"
    epochs: int = 50
    batch: int = 64
    lr: float = 2e-4
    beta1: float = 0.5
    seed: int = 0
    device: str = "cpu"

    @property
    def noise_dim(self) -> int:
        return NOISE_DIMS[self.dataset]

    def validate(self) -> None:
        if self.dataset not in DATASETS:
            raise UsageError(
                _("unknown data set '{name}'; choose one of {choices}").format(
                    name=self.dataset, choices=", ".join(DATASETS)
                )
            )
        if not 1 <= self.epochs <= 10_000:
            raise UsageError(
                _("--epochs must be between 1 and 10000, got {value}").format(value=self.epochs)
            )
        if not 2 <= self.batch <= 4096:
            raise UsageError(
                _("batch size must be between 2 and 4096, got {value}").format(value=self.batch)
            )
        if not (np.isfinite(self.lr) and 0 < self.lr <= 1):
            raise UsageError(
                _("learning rate must be in (0, 1], got {value}").format(value=self.lr)
            )
        if self.device not in ("cpu", "gpu", "auto"):
            raise UsageError(
                _("unknown device '{name}'; choose cpu, gpu or auto").format(name=self.device)
            )


def build_generator(dataset: str) -> Any:
    """The generator for `dataset`: `(N, nz, 1, 1)` → `(N, 1, H, W)` in [−1, 1]."""
    from cnntui.engine import nn

    nz = NOISE_DIMS[dataset]
    first = 2 if dataset == "digits" else 7
    return nn.Sequential(
        nn.ConvTranspose2d(nz, 128, first, 1, 0, bias=False),
        nn.BatchNorm2d(128),
        nn.ReLU(),
        nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False),
        nn.BatchNorm2d(64),
        nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, 2, 1, bias=False),
        nn.Tanh(),
    )


def build_discriminator(dataset: str) -> Any:
    """The discriminator for `dataset`: `(N, 1, H, W)` → raw outputs `(N, 1, 1, 1)`."""
    from cnntui.engine import nn

    last = 2 if dataset == "digits" else 7
    return nn.Sequential(
        nn.Conv2d(1, 64, 4, 2, 1, bias=False),
        nn.LeakyReLU(0.2),
        nn.Conv2d(64, 128, 4, 2, 1, bias=False),
        nn.BatchNorm2d(128),
        nn.LeakyReLU(0.2),
        nn.Conv2d(128, 1, last, 1, 0, bias=False),
    )


def dcgan_init(module: Any, rng: np.random.Generator) -> None:
    """DCGAN's initialisation: conv weights N(0, 0.02), batch-norm scale N(1, 0.02), shift 0."""
    for name, p in module.named_parameters():
        owner = module
        parts = name.split(".")
        for part in parts[:-1]:
            owner = owner._modules[part]
        kind = type(owner).__name__
        if kind.startswith("BatchNorm") and parts[-1] == "weight":
            values = rng.normal(1.0, 0.02, p.shape)
        elif parts[-1] == "weight":
            values = rng.normal(0.0, 0.02, p.shape)
        else:
            values = np.zeros(p.shape)
        p.data = p.xp.asarray(values.astype(p.dtype))


def load_images(dataset: str, seed: int = 0) -> np.ndarray:
    """Training images `(N, 1, H, W)` float32 scaled to [−1, 1] (the generator's tanh range)."""
    from cnntui.data.dataset import DatasetError

    try:
        if dataset == "digits":
            from cnntui.data.digits import load_digits

            data = load_digits()
        else:
            from cnntui.data.shapes import load_shapes

            data = load_shapes(count=SHAPES_COUNT, seed=seed)
    except DatasetError as exc:
        raise UsageError(str(exc)) from None
    return (data.images * 2.0 - 1.0).astype(np.float32)


def mean_pairwise_distance(batch: np.ndarray) -> float:
    """Mean Euclidean distance between all pairs of images in `batch` `(N, …)`, N ≥ 2."""
    flat = np.asarray(batch, dtype=np.float64).reshape(len(batch), -1)
    if len(flat) < 2:
        raise ValueError(_("diversity needs at least two images"))
    sq = (flat**2).sum(1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * flat @ flat.T, 0.0)
    n = len(flat)
    return float(np.sqrt(d2)[np.triu_indices(n, 1)].mean())


@dataclass
class EpochRecord:
    """Averages over one epoch's batches, the diversity of the fixed-noise grid, and the files."""

    epoch: int
    d_loss: float
    g_loss: float
    diversity: float
    seconds: float
    samples: list[str] = field(default_factory=list)


class DcganRun:
    """One DCGAN run in folder `out`: create fresh, or `resume` from its checkpoint."""

    def __init__(
        self, settings: DcganSettings, out: str | os.PathLike[str], *, resume: bool = False
    ) -> None:
        settings.validate()
        self.out = Path(out)
        self.samples_dir = self.out / "samples"
        from cnntui.engine import backend as backend_module

        self.backend = backend_module.get_backend(settings.device)
        self.xp = self.backend.xp
        if resume:
            settings = self._read_settings(settings)
        self.settings = settings
        self.images = load_images(settings.dataset, settings.seed)
        init_rng = np.random.default_rng([settings.seed, 11])
        self.rng = np.random.default_rng([settings.seed, 12])
        fixed_rng = np.random.default_rng([settings.seed, 13])
        self.generator = build_generator(settings.dataset)
        self.discriminator = build_discriminator(settings.dataset)
        for net in (self.generator, self.discriminator):
            net.to(xp=self.xp)
            dcgan_init(net, init_rng)
        from cnntui.engine import optim

        betas = (settings.beta1, 0.999)
        self.g_optimizer = optim.Adam(
            list(self.generator.parameters()), lr=settings.lr, betas=betas
        )
        self.d_optimizer = optim.Adam(
            list(self.discriminator.parameters()), lr=settings.lr, betas=betas
        )
        self.fixed_noise = fixed_rng.standard_normal(
            (GRID_SAMPLES, settings.noise_dim, 1, 1)
        ).astype(np.float32)
        reference = self.images[fixed_rng.choice(len(self.images), GRID_SAMPLES, replace=False)]
        self.real_spread = mean_pairwise_distance(reference)
        self.epoch = 0
        self.step = 0
        self.history: list[EpochRecord] = []
        self.step_losses: list[tuple[int, float, float]] = []
        self._partial: dict[str, Any] | None = None
        """Where an interrupted epoch stopped (from the checkpoint), until `run_epoch` uses it."""
        self._device_images: Any = None  # GPU: the training images, uploaded once
        if resume:
            self._load_checkpoint()

    # -- training -----------------------------------------------------------------------------

    @property
    def steps_per_epoch(self) -> int:
        return int(np.ceil(len(self.images) / self.settings.batch))

    def train_step(self, real_batch: Any) -> tuple[float, float]:
        """One D update and one G update on a real batch `(B, 1, H, W)` (host, or already on the
        run's device); returns (D loss, G loss).

        On a GPU the noise is drawn on the device (from a seed drawn from the run's generator, so
        checkpoints still decide it) and both losses come back in one read: one wait per step.
        """
        xp = self.xp
        b = len(real_batch)
        real = real_batch if array_module(real_batch) is xp else xp.asarray(real_batch)
        z = self._noise(b)
        fake = self.generator.forward(z)
        self.discriminator.zero_grad()
        on_real = real_term("nonsaturating", self.discriminator.forward(real))
        self.discriminator.backward(on_real.grad_fake)
        on_fake = fake_term("nonsaturating", self.discriminator.forward(fake))
        self.discriminator.backward(on_fake.grad_fake)
        self.d_optimizer.step()
        self.generator.zero_grad()
        g = generator_loss("nonsaturating", self.discriminator.forward(fake))
        grad_fake = self.discriminator.backward(g.grad_fake)
        self.discriminator.zero_grad()
        self.generator.backward(grad_fake)
        self.g_optimizer.step()
        self.step += 1
        if not self.backend.is_gpu:
            return float(on_real.value + on_fake.value), float(g.value)
        losses = to_host(xp.stack([on_real.value + on_fake.value, g.value]))
        return float(losses[0]), float(losses[1])

    def _draw_noise_seed_or_values(self, b: int) -> Any:
        """What one step draws from the run's generator for `b` noise vectors: the values on the
        CPU, a seed for the device's generator on a GPU (so replaying a step's draw keeps the
        stream where an uninterrupted run would have it)."""
        if self.backend.is_gpu:
            return int(self.rng.integers(2**63))
        return self.rng.standard_normal((b, self.settings.noise_dim, 1, 1))

    def _noise(self, b: int) -> Any:
        """`b` noise vectors (B, noise_dim, 1, 1) float32 on the run's device."""
        drawn = self._draw_noise_seed_or_values(b)
        if self.backend.is_gpu:
            from cnntui.engine import gpu_kernels

            return gpu_kernels.normal((b, self.settings.noise_dim, 1, 1), drawn, np.float32)
        return drawn.astype(np.float32)

    def _device_batches(self, order: np.ndarray) -> Callable[[int, int], Any]:
        """`batch(start, stop)`: the real images of `order[start:stop]`. On a GPU the images are
        uploaded once per run and the order once per epoch; batches are gathered on the device."""
        if not self.backend.is_gpu:
            return lambda start, stop: self.images[order[start:stop]]
        if self._device_images is None:
            self._device_images = self.xp.asarray(self.images)
        images, device_order = self._device_images, self.xp.asarray(order)
        return lambda start, stop: images[device_order[start:stop]]

    def run_epoch(
        self,
        on_step: Callable[[int, float, float], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> EpochRecord | None:
        """Train one epoch (a fresh shuffle), then sample the grid and save a checkpoint.

        `on_step(step, d_loss, g_loss)` is called after every batch; when `should_stop()` turns
        true the epoch stops there, a checkpoint of that exact point is saved (the weights, the
        optimisers, and the epoch's random state and totals so far) and None is returned:
        resuming finishes the epoch exactly as an uninterrupted run would.
        """
        import copy
        import time

        started = time.perf_counter()
        partial, self._partial = self._partial, None
        if partial is not None:  # resuming mid-epoch: back to the epoch's start, then replay
            self.rng.bit_generator.state = partial["rng"]
        epoch_rng = copy.deepcopy(self.rng.bit_generator.state)
        order = self.rng.permutation(len(self.images))
        batch = self.settings.batch
        skip = int(partial["batches"]) if partial else 0
        d_total = float(partial["d_total"]) if partial else 0.0
        g_total = float(partial["g_total"]) if partial else 0.0
        count = int(partial["count"]) if partial else 0
        before = float(partial["seconds"]) if partial else 0.0
        batch_of = self._device_batches(order)
        for number, start in enumerate(range(0, len(order), batch)):
            stop = min(start + batch, len(order))
            if stop - start < 2:  # batch norm needs two samples
                continue
            if number < skip:
                # done before the interruption: draw its noise again so the random stream
                # continues exactly where it was
                self._draw_noise_seed_or_values(stop - start)
                continue
            d_loss, g_loss = self.train_step(batch_of(start, stop))
            if not (np.isfinite(d_loss) and np.isfinite(g_loss)):
                raise FloatingPointError(
                    Message(
                        N_(
                            "the losses became {d_loss} and {g_loss} at step {step}: "
                            "lower the learning rate (now {lr})"
                        ),
                        d_loss=d_loss,
                        g_loss=g_loss,
                        step=self.step,
                        lr=f"{self.settings.lr:g}",
                    )
                )
            self.step_losses.append((self.step, d_loss, g_loss))
            d_total += d_loss
            g_total += g_loss
            count += 1
            if on_step is not None:
                on_step(self.step, d_loss, g_loss)
            if should_stop is not None and should_stop():
                self.save_checkpoint(
                    partial={
                        "rng": epoch_rng,
                        "batches": number + 1,
                        "d_total": d_total,
                        "g_total": g_total,
                        "count": count,
                        "seconds": before + time.perf_counter() - started,
                    }
                )
                return None
        started -= before
        self.epoch += 1
        grid = self.sample_grid()
        record = EpochRecord(
            epoch=self.epoch,
            d_loss=d_total / max(count, 1),
            g_loss=g_total / max(count, 1),
            diversity=self.diversity(grid),
            seconds=time.perf_counter() - started,
        )
        self.samples_dir.mkdir(parents=True, exist_ok=True)  # the run folder is cnntui's own
        written = images.write_grid(
            images.tile(grid, cols=8), self.samples_dir / f"epoch-{self.epoch:03d}"
        )
        record.samples = [str(p) for p in written]
        self.history.append(record)
        self.save_checkpoint()
        return record

    def sample_grid(self) -> np.ndarray:
        """Generator output on the fixed noise, `(64, 1, H, W)` host float32 in [−1, 1].

        Batch norm uses the statistics of this batch of 64 (as during training), and its running
        averages are left untouched.
        """
        from cnntui.engine.backend import to_host

        saved = {
            name: value.copy()
            for name, value in self.generator.named_buffers()
            if value is not None
        }
        out = to_host(self.generator.forward(self.xp.asarray(self.fixed_noise)))
        owners = {
            f"{prefix}.{b}" if prefix else b: (m, b)
            for prefix, m in self.generator.named_modules()
            for b in m._buffers
        }
        for name, value in saved.items():
            module, buffer = owners[name]
            module.set_buffer(buffer, value)
        return out.astype(np.float32)

    def diversity(self, grid: np.ndarray | None = None) -> float:
        """Mean pairwise distance of the fixed-noise samples over that of real images (≈1 healthy,
        near 0 when collapsed)."""
        grid = self.sample_grid() if grid is None else grid
        return mean_pairwise_distance(grid) / self.real_spread

    # -- checkpoints ----------------------------------------------------------------------------

    @property
    def checkpoint_path(self) -> Path:
        return self.out / "checkpoint.npz"

    @property
    def run_json_path(self) -> Path:
        return self.out / "run.json"

    def save_checkpoint(self, partial: dict[str, Any] | None = None) -> Path:
        """Write `checkpoint.npz` then `run.json`, each atomically (a crash leaves the old pair).

        `partial` describes an epoch stopped part-way (see `run_epoch`); None at an epoch's end.
        """
        from cnntui.engine.module import save_npz_atomic

        arrays: dict[str, Any] = {}
        for prefix, module in (("G", self.generator), ("D", self.discriminator)):
            for key, value in module.state_dict().items():
                arrays[f"{prefix}/{key}"] = value
        scalars: dict[str, Any] = {}
        for prefix, opt in (("optG", self.g_optimizer), ("optD", self.d_optimizer)):
            _flatten_state(prefix, opt.state_dict(), arrays, scalars)
        save_npz_atomic(self.checkpoint_path, arrays)
        document = {
            "format": FORMAT,
            "kind": "dcgan",
            "settings": asdict(self.settings),
            "epoch": self.epoch,
            "step": self.step,
            "rng": self.rng.bit_generator.state,
            "optimizer_scalars": scalars,
            "history": [asdict(r) for r in self.history],
            "partial": partial,
        }
        _write_json_atomic(self.run_json_path, document)
        return self.checkpoint_path

    def _read_settings(self, requested: DcganSettings) -> DcganSettings:
        document = self._read_run_json()
        try:
            saved = DcganSettings(**document["settings"])
        except (TypeError, KeyError) as exc:
            raise UsageError(
                _("{path}: not a DCGAN run ({reason})").format(path=self.run_json_path, reason=exc)
            ) from None
        if saved.dataset != requested.dataset:
            raise UsageError(
                _(
                    "{path} holds a DCGAN run on {saved}, not {requested}; "
                    "choose another --out or the same --dataset"
                ).format(path=self.out, saved=saved.dataset, requested=requested.dataset)
            )
        # the target epoch count and the device may change on resume; the rest is the run's
        return replace(saved, epochs=requested.epochs, device=requested.device)

    def _read_run_json(self) -> dict[str, Any]:
        try:
            document = json.loads(userfile.read_text(self.run_json_path, "run.json"))
        except FileNotFoundError:
            raise UsageError(
                _("nothing to resume in {path}: run.json is missing").format(path=self.out)
            ) from None
        except (OSError, ValueError) as exc:
            raise UsageError(
                _("{path} is unreadable ({exc})").format(path=self.run_json_path, exc=exc)
            ) from None
        except RecursionError:  # JSON nested thousands deep: not one cnntui wrote
            raise UsageError(
                _("{path} is unreadable (nested too deeply)").format(path=self.run_json_path)
            ) from None
        if (
            not isinstance(document, dict)
            or document.get("kind") != "dcgan"
            or document.get("format") != FORMAT
        ):
            raise UsageError(
                _("{path} is not a DCGAN run of this version").format(path=self.run_json_path)
            )
        return document

    def _load_checkpoint(self) -> None:
        document = self._read_run_json()
        try:
            userfile.check_file(self.checkpoint_path, "checkpoint")
            with np.load(self.checkpoint_path, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
        except FileNotFoundError:
            raise UsageError(
                _("nothing to resume in {path}: checkpoint.npz is missing").format(path=self.out)
            ) from None
        except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as exc:
            # a truncated file is a BadZipFile or EOFError, a damaged member a ValueError
            raise UsageError(
                _("{path} is corrupt ({exc})").format(path=self.checkpoint_path, exc=exc)
            ) from None
        try:
            for prefix, module in (("G", self.generator), ("D", self.discriminator)):
                module.load_state_dict(
                    {k[2:]: v for k, v in arrays.items() if k.startswith(prefix + "/")}
                )
            for prefix, opt in (("optG", self.g_optimizer), ("optD", self.d_optimizer)):
                opt.load_state_dict(_unflatten_state(prefix, arrays, document["optimizer_scalars"]))
            self.rng.bit_generator.state = document["rng"]
            self.epoch = int(document["epoch"])
            self.step = int(document["step"])
            self.history = [EpochRecord(**r) for r in document["history"]]
            self._partial = _checked_partial(document.get("partial"))
        except (KeyError, TypeError, ValueError) as exc:
            raise UsageError(
                _("the checkpoint in {path} does not match this model ({exc})").format(
                    path=self.out, exc=exc
                )
            ) from None


def _checked_partial(value: Any) -> dict[str, Any] | None:
    """The `partial` entry of run.json, or ValueError when it is not what `run_epoch` wrote."""
    if value is None:
        return None
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("rng"), dict)
        or not all(
            isinstance(value.get(k), int) and not isinstance(value.get(k), bool) and value[k] >= 0
            for k in ("batches", "count")
        )
        or not all(isinstance(value.get(k), int | float) for k in ("d_total", "g_total", "seconds"))
    ):
        raise ValueError(_("its record of the interrupted epoch is damaged"))
    return value


def _flatten_state(
    prefix: str, value: Any, arrays: dict[str, Any], scalars: dict[str, Any]
) -> None:
    """Split a nested optimiser state into npz arrays and JSON scalars under `/`-joined keys."""
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten_state(f"{prefix}/{key}", inner, arrays, scalars)
    elif isinstance(value, list | tuple) and any(
        hasattr(v, "shape") or isinstance(v, dict | list | tuple) for v in value
    ):
        scalars[f"{prefix}#len"] = len(value)
        for i, inner in enumerate(value):
            _flatten_state(f"{prefix}/{i}", inner, arrays, scalars)
    elif hasattr(value, "shape") and getattr(value, "ndim", 0) > 0:
        from cnntui.engine.backend import to_host

        arrays[prefix] = to_host(value)
    elif value is None or isinstance(value, bool | int | float | str | list | tuple):
        scalars[prefix] = list(value) if isinstance(value, tuple) else value
    else:
        scalars[prefix] = value.item() if hasattr(value, "item") else value


def _unflatten_state(
    prefix: str, arrays: dict[str, Any], scalars: dict[str, Any]
) -> dict[str, Any]:
    """Rebuild what `_flatten_state` split (lists come back as lists)."""
    root: dict[str, Any] = {}
    entries = [(k, v) for k, v in arrays.items() if k.startswith(prefix + "/")]
    entries += [
        (k, v) for k, v in scalars.items() if k.startswith(prefix + "/") and not k.endswith("#len")
    ]
    for key, value in entries:
        parts = key[len(prefix) + 1 :].split("/")
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _listify(root, prefix, scalars)


def _listify(node: Any, path: str, scalars: dict[str, Any]) -> Any:
    if not isinstance(node, dict):
        return node
    if f"{path}#len" in scalars:
        return [
            _listify(node.get(str(i)), f"{path}/{i}", scalars)
            for i in range(scalars[f"{path}#len"])
        ]
    return {k: _listify(v, f"{path}/{k}", scalars) for k, v in node.items()}


def _write_json_atomic(path: Path, document: Any) -> None:
    write_text_atomic(path, json.dumps(document, indent=1))
