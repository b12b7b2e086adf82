"""The named data sets and their fixed train/validation/test splits.

| name | images | split (train / val / test) |
|---|---|---|
| `digits` | 1,797 × 1×8×8 (bundled; upscaled on request) | a fixed permutation (seed 0): 1,257 / 180 / 360 |
| `shapes` | N × 1×28×28, synthetic (default N = 6,000, seed 0) | 80% / 10% / 10% in generated order |
| `mnist`, `fashion-mnist` | 70,000 × 1×28×28 (IDX files) | first 55,000 / last 5,000 of the training file / the 10,000 test file |
| `cifar10` | 60,000 × 3×32×32 (binary batches) | batches 1–4 and the first 5,000 of batch 5 / its last 5,000 / `test_batch.bin` |
| `folder` | one sub-folder per class | a fixed permutation (seed 0): 70% / 10% / 20% |

For IDX and CIFAR files smaller than the originals the same rule applies by fraction: the last
1/12 (IDX) or 1/10 (CIFAR) of the training file is the validation set.
"""

from __future__ import annotations

import tarfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnntui.data.cifar import TEST_FILE, TRAIN_FILES, read_cifar_batch, read_class_names
from cnntui.data.dataset import Dataset, DatasetError, Splits, split_by_permutation
from cnntui.data.digits import load_digits
from cnntui.data.download import Progress, cache_dir, fetch
from cnntui.data.folder import load_folder
from cnntui.data.idx import load_idx_pair
from cnntui.data.shapes import SHAPES_SIZE, load_shapes
from cnntui.data.sources import SOURCES, total_size
from cnntui.data.transforms import resize_bilinear
from cnntui.i18n import _
from cnntui.paths import PathNotAllowed, check_user_path

FASHION_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
MNIST_NAMES = tuple(str(d) for d in range(10))


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    title: str
    native_shape: tuple[int, int, int]
    classes: int
    bundled: bool
    """True when it needs no files (bundled or synthetic)."""
    description: str


DATASETS: dict[str, DatasetInfo] = {
    "digits": DatasetInfo(
        "digits",
        "UCI handwritten digits",
        (1, 8, 8),
        10,
        True,
        "1,797 real handwritten digits, 8×8 (bundled, CC BY 4.0)",
    ),
    "shapes": DatasetInfo(
        "shapes",
        "Synthetic shapes",
        (1, SHAPES_SIZE, SHAPES_SIZE),
        5,
        True,
        "circles, squares, triangles, crosses and lines, generated from a seed",
    ),
    "mnist": DatasetInfo(
        "mnist",
        "MNIST",
        (1, 28, 28),
        10,
        False,
        "70,000 handwritten digits, 28×28 (IDX files; --download fetches 11 MB)",
    ),
    "fashion-mnist": DatasetInfo(
        "fashion-mnist",
        "Fashion-MNIST",
        (1, 28, 28),
        10,
        False,
        "70,000 clothing photos, 28×28 (IDX files; --download fetches 30 MB)",
    ),
    "cifar10": DatasetInfo(
        "cifar10",
        "CIFAR-10",
        (3, 32, 32),
        10,
        False,
        "60,000 colour photos, 32×32 (binary version; --download fetches 163 MB)",
    ),
    "folder": DatasetInfo(
        "folder",
        "Image folder",
        (0, 0, 0),
        0,
        False,
        "your own images, one sub-folder per class (--data-dir)",
    ),
}


def names() -> list[str]:
    return list(DATASETS)


def load_splits(
    name: str,
    *,
    data_dir: str | Path | None = None,
    download: bool = False,
    input_size: int | None = None,
    count: int | None = None,
    seed: int = 0,
    normalize: bool = True,
    progress: Progress | None = None,
) -> Splits:
    """Load a data set's fixed train/val/test splits, optionally resized to `input_size`².

    `count` and `seed` only apply to `shapes` (how many images, which ones). With `normalize`, all
    three parts are normalised by the training part's per-channel mean and standard deviation.
    Raises `DatasetError` with a message that says how to get missing data.
    """
    if name not in DATASETS:
        raise DatasetError(
            _("unknown data set '{name}'; choose one of {value}").format(
                name=name, value=", ".join(DATASETS)
            )
        )
    if input_size is not None and not 4 <= input_size <= 512:
        raise DatasetError(
            _("input size must be between 4 and 512 pixels, got {input_size}").format(
                input_size=input_size
            )
        )
    try:
        folder = check_user_path(data_dir) if data_dir is not None else None
    except PathNotAllowed as error:
        raise DatasetError(_("data folder {error}").format(error=error)) from None
    if name == "digits":
        full = load_digits(8)
        train, val, test = split_by_permutation(full, val=180, test=360, seed=0)
        splits = Splits(
            train,
            val,
            test,
            _("fixed permutation (seed 0): {train} / {val} / {test}").format(
                train="1,257", val=180, test=360
            ),
        )
    elif name == "shapes":
        n = count if count is not None else 6000
        full = load_shapes(n, seed=seed)
        n_val = n_test = max(1, n // 10)
        n_train = n - n_val - n_test
        splits = Splits(
            full.subset(slice(0, n_train)),
            full.subset(slice(n_train, n_train + n_val)),
            full.subset(slice(n_train + n_val, n)),
            _("{n} generated with seed {seed}: first {train} / next {val} / last {test}").format(
                n=f"{n:,}", seed=seed, train=f"{n_train:,}", val=f"{n_val:,}", test=f"{n_test:,}"
            ),
        )
    elif name in ("mnist", "fashion-mnist"):
        splits = _load_idx_splits(name, folder, download, progress)
    elif name == "cifar10":
        splits = _load_cifar_splits(folder, download, progress)
    else:
        if folder is None:
            raise DatasetError(
                _("the folder data set needs --data-dir DIR with one sub-folder per class")
            )
        size = (input_size, input_size) if input_size else None
        full = load_folder(folder, size)
        n_val = max(1, len(full) // 10)
        n_test = max(1, len(full) // 5)
        train, val, test = split_by_permutation(full, val=n_val, test=n_test, seed=0)
        splits = Splits(
            train,
            val,
            test,
            _("fixed permutation (seed 0): {train} / {val} / {test}").format(
                train=len(train), val=n_val, test=n_test
            ),
        )
    if input_size is not None and splits.input_shape[1:] != (input_size, input_size):
        splits = Splits(
            _resized(splits.train, input_size),
            _resized(splits.val, input_size),
            _resized(splits.test, input_size),
            splits.description,
        )
    return splits.normalized() if normalize else splits


def _resized(data: Dataset, size: int) -> Dataset:
    return Dataset(
        data.name, resize_bilinear(data.images, (size, size)), data.labels, data.class_names
    )


def _missing(name: str, looked: list[Path], files: str) -> DatasetError:
    where = ", ".join(str(p) for p in looked)
    mb = total_size(name) / 1e6
    return DatasetError(
        f"{name} not found (looked for {files} in {where}); add --download to fetch it "
        f"(about {mb:.0f} MB) into {cache_dir() / name}, or pass --data-dir DIR holding those files"
    )


def _find_idx(folder: Path, stem: str) -> Path | None:
    for candidate in (stem, stem.replace("-idx", ".idx")):
        for suffix in (".gz", ""):
            path = folder / (candidate + suffix)
            if path.is_file():
                return path
    return None


def _idx_folders(name: str, folder: Path | None) -> list[Path]:
    torch_name = "MNIST" if name == "mnist" else "FashionMNIST"
    roots = [folder] if folder is not None else [cache_dir()]
    out: list[Path] = []
    for root in roots:
        out += [root, root / name, root / torch_name / "raw"]
    return out if folder is not None else out[1:2]


def _load_idx_splits(
    name: str, folder: Path | None, download: bool, progress: Progress | None
) -> Splits:
    stems = (
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    )
    found: list[Path] | None = None
    looked = _idx_folders(name, folder)
    for candidate in looked:
        paths = [_find_idx(candidate, s) for s in stems]
        if all(p is not None for p in paths):
            found = [p for p in paths if p is not None]
            break
    if found is None:
        if not download:
            raise _missing(
                name, looked, "train-images-idx3-ubyte[.gz] and the other three IDX files"
            )
        target = (folder or cache_dir()) / name
        found = [fetch(f.url, target / f.name, f.sha256, progress) for f in SOURCES[name]]
    train_x, train_y = load_idx_pair(found[0], found[1])
    test_x, test_y = load_idx_pair(found[2], found[3])
    names_ = MNIST_NAMES if name == "mnist" else FASHION_NAMES
    n_val = max(1, round(len(train_y) / 12))
    n_train = len(train_y) - n_val
    if n_train < 1 or len(test_y) < 1:
        raise DatasetError(
            _("{name}: too few images ({value} train, {value2} test)").format(
                name=name, value=len(train_y), value2=len(test_y)
            )
        )
    full = Dataset(name, train_x, train_y, names_)
    return Splits(
        full.subset(slice(0, n_train)),
        full.subset(slice(n_train, None)),
        Dataset(name, test_x, test_y, names_),
        _("first {train} / last {val} of the training file / {test} test images").format(
            train=f"{n_train:,}", val=f"{n_val:,}", test=f"{len(test_y):,}"
        ),
    )


def _cifar_folder(folder: Path | None) -> list[Path]:
    roots = [folder] if folder is not None else [cache_dir() / "cifar10"]
    return [p for root in roots for p in (root, root / "cifar-10-batches-bin")]


def _load_cifar_splits(folder: Path | None, download: bool, progress: Progress | None) -> Splits:
    looked = _cifar_folder(folder)
    batches = next(
        (p for p in looked if (p / TEST_FILE).is_file() and (p / TRAIN_FILES[0]).is_file()), None
    )
    if batches is None:
        if not download:
            raise _missing(
                "cifar10", looked, "data_batch_1.bin … data_batch_5.bin and test_batch.bin"
            )
        root = folder or cache_dir() / "cifar10"
        remote = SOURCES["cifar10"][0]
        archive = fetch(remote.url, root / remote.name, remote.sha256, progress)
        _extract_cifar(archive, root)
        batches = root / "cifar-10-batches-bin"
    present = [batches / f for f in TRAIN_FILES if (batches / f).is_file()]
    parts = [read_cifar_batch(p) for p in present]
    train_x = np.concatenate([p[0] for p in parts])
    train_y = np.concatenate([p[1] for p in parts])
    test_x, test_y = read_cifar_batch(batches / TEST_FILE)
    class_names = read_class_names(batches)
    n_val = max(1, round(len(train_y) / 10))
    n_train = len(train_y) - n_val
    full = Dataset("cifar10", train_x, train_y, class_names)
    return Splits(
        full.subset(slice(0, n_train)),
        full.subset(slice(n_train, None)),
        Dataset("cifar10", test_x, test_y, class_names),
        _("first {train} / last {val} of {batches} training batches / {test} test images").format(
            train=f"{n_train:,}",
            val=f"{n_val:,}",
            batches=len(present),
            test=f"{len(test_y):,}",
        ),
    )


def _extract_cifar(archive: Path, root: Path) -> None:
    """Extract only the `cifar-10-batches-bin/` members, refusing links and absolute paths."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = [
                m
                for m in tar.getmembers()
                if m.isfile() and m.name.startswith("cifar-10-batches-bin/") and ".." not in m.name
            ]
            tar.extractall(root, members=members, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise DatasetError(
            _("{archive} cannot be extracted ({exc}); delete it and download again").format(
                archive=archive, exc=exc
            )
        ) from None
