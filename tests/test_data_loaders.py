"""Loaders of cnntui.data against files the tests write: IDX, CIFAR binary, folders, corrupt ones."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from cnntui.data import Augmentation, DatasetError, load_splits, parse_augmentation
from cnntui.data.batches import iterate_batches
from cnntui.data.cifar import read_cifar_batch, write_cifar_batch
from cnntui.data.dataset import Dataset
from cnntui.data.folder import load_folder, read_netpbm, write_netpbm
from cnntui.data.idx import read_idx, write_idx
from cnntui.data.shapes import load_shapes
from cnntui.data.transforms import resize_bilinear


def _write_mnist(
    folder: Path, n_train: int = 24, n_test: int = 6, compress: bool = True
) -> np.ndarray:
    rng = np.random.default_rng(1)
    folder.mkdir(parents=True, exist_ok=True)
    train = rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8)
    ext = ".gz" if compress else ""
    write_idx(folder / f"train-images-idx3-ubyte{ext}", train, compress)
    write_idx(folder / f"train-labels-idx1-ubyte{ext}", np.arange(n_train) % 10, compress)
    write_idx(
        folder / f"t10k-images-idx3-ubyte{ext}", rng.integers(0, 256, (n_test, 28, 28)), compress
    )
    write_idx(folder / f"t10k-labels-idx1-ubyte{ext}", np.arange(n_test) % 10, compress)
    return train


def test_digits_split_is_fixed_and_documented() -> None:
    splits = load_splits("digits", normalize=False)
    assert splits.sizes() == {"train": 1257, "val": 180, "test": 360}
    assert splits.input_shape == (1, 8, 8)
    assert splits.train.images.dtype == np.float32 and splits.train.labels.dtype == np.int64
    assert 0.0 <= splits.train.images.min() and splits.train.images.max() <= 1.0
    again = load_splits("digits", normalize=False)
    np.testing.assert_array_equal(splits.test.labels, again.test.labels)
    # every class appears in the test set
    assert (splits.test.class_counts() > 20).all()


def test_digits_upscaled_and_normalised() -> None:
    splits = load_splits("digits", input_size=28)
    assert splits.input_shape == (1, 28, 28)
    assert abs(float(splits.train.images.mean())) < 1e-4
    assert abs(float(splits.train.images.std()) - 1.0) < 1e-3
    assert splits.train.mean is not None
    shown = splits.test.denormalized(splits.test.images[:2])
    assert shown.min() >= 0.0 and shown.max() <= 1.0


def test_resize_bilinear_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).random((2, 3, 8, 8), dtype=np.float32)
    ours = resize_bilinear(x, (28, 28))
    ref = torch.nn.functional.interpolate(
        torch.from_numpy(x), size=(28, 28), mode="bilinear", align_corners=False
    )
    np.testing.assert_allclose(ours, ref.numpy(), atol=1e-5)


def test_shapes_are_seeded_and_balanced() -> None:
    a = load_shapes(100, seed=3)
    b = load_shapes(100, seed=3)
    c = load_shapes(100, seed=4)
    np.testing.assert_array_equal(a.images, b.images)
    assert not np.array_equal(a.images, c.images)
    assert a.images.shape == (100, 1, 28, 28)
    assert list(a.class_counts()) == [20] * 5
    # every image has ink
    assert (a.images.reshape(100, -1).max(axis=1) > 0.5).all()


def test_idx_round_trip_gz_and_plain(tmp_path: Path) -> None:
    for compress in (True, False):
        folder = tmp_path / f"mnist-{compress}"
        train = _write_mnist(folder, compress=compress)
        splits = load_splits("mnist", data_dir=folder, normalize=False)
        assert splits.sizes() == {"train": 22, "val": 2, "test": 6}
        np.testing.assert_allclose(splits.train.images[0, 0], train[0] / 255.0, atol=1e-6)
        assert splits.class_names[3] == "3"


def test_fashion_names_and_torchvision_layout(tmp_path: Path) -> None:
    _write_mnist(tmp_path / "FashionMNIST" / "raw")
    splits = load_splits("fashion-mnist", data_dir=tmp_path, input_size=32)
    assert splits.class_names[9] == "Ankle boot"
    assert splits.input_shape == (1, 32, 32)


def test_idx_truncated_and_corrupt(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    _write_mnist(folder, compress=False)
    path = folder / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(DatasetError, match="truncated"):
        load_splits("mnist", data_dir=folder)
    path.write_bytes(b"\x01\x02\x03\x04garbage")
    with pytest.raises(DatasetError, match="not an IDX file"):
        read_idx(path)
    gz = tmp_path / "bad.gz"
    gz.write_bytes(gzip.compress(b"\x00\x00\x08\x01" + b"\x00" * 20)[:-9])
    with pytest.raises(DatasetError):
        read_idx(gz)


def test_idx_label_count_mismatch(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    _write_mnist(folder)
    write_idx(folder / "train-labels-idx1-ubyte.gz", np.zeros(5), compress=True)
    with pytest.raises(DatasetError, match="24 images but"):
        load_splits("mnist", data_dir=folder)


def test_missing_dataset_says_how_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="--download"):
        load_splits("mnist", data_dir=tmp_path)
    with pytest.raises(DatasetError, match="unknown data set"):
        load_splits("imagenet")


def _write_cifar(folder: Path, per_batch: int = 10) -> np.ndarray:
    rng = np.random.default_rng(2)
    folder.mkdir(parents=True)
    first = None
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        images = rng.integers(0, 256, (per_batch, 3, 32, 32), dtype=np.uint8)
        first = images if first is None else first
        write_cifar_batch(folder / name, images, np.arange(per_batch) % 10)
    (folder / "batches.meta.txt").write_text("\n".join(f"class{i}" for i in range(10)) + "\n\n")
    return first


def test_cifar_binary(tmp_path: Path) -> None:
    first = _write_cifar(tmp_path / "cifar-10-batches-bin")
    splits = load_splits("cifar10", data_dir=tmp_path, normalize=False)
    assert splits.sizes() == {"train": 45, "val": 5, "test": 10}
    assert splits.input_shape == (3, 32, 32)
    np.testing.assert_allclose(splits.train.images[0], first[0] / 255.0, atol=1e-6)
    assert splits.class_names[0] == "class0"


def test_cifar_truncated(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    _write_cifar(folder)
    path = folder / "test_batch.bin"
    path.write_bytes(path.read_bytes()[:-7])
    with pytest.raises(DatasetError, match="truncated"):
        read_cifar_batch(path)
    with pytest.raises(DatasetError, match="truncated"):
        load_splits("cifar10", data_dir=folder)


def test_folder_of_pgm_and_ppm(tmp_path: Path) -> None:
    tmp_path = tmp_path / "images"
    tmp_path.mkdir()
    (tmp_path / "empty").mkdir()
    rng = np.random.default_rng(0)
    for cls in ("cat", "dog"):
        (tmp_path / cls).mkdir()
        for i in range(10):
            write_netpbm(
                tmp_path / cls / f"{i}.pgm", rng.integers(0, 256, (12, 10), dtype=np.uint8)
            )
    (tmp_path / "dog" / "c.ppm").write_bytes(b"P6\n# a comment\n4 4\n255\n" + bytes(range(48)))
    (tmp_path / "dog" / "notes.txt").write_text("ignored")
    data = load_folder(tmp_path)
    assert data.class_names == ("cat", "dog")
    assert data.images.shape == (21, 3, 12, 10)
    splits = load_splits("folder", data_dir=tmp_path, input_size=16)
    assert splits.input_shape == (3, 16, 16)
    assert sum(splits.sizes().values()) == 21


def test_netpbm_text_and_truncated(tmp_path: Path) -> None:
    p = tmp_path / "a.pgm"
    p.write_bytes(b"P2\n2 2\n4\n0 1\n2 4\n")
    np.testing.assert_allclose(read_netpbm(p)[0], [[0, 0.25], [0.5, 1.0]])
    p.write_bytes(b"P5\n4 4\n255\n" + bytes(10))
    with pytest.raises(DatasetError, match="truncated"):
        read_netpbm(p)


def test_folder_needs_classes(tmp_path: Path) -> None:
    tmp_path = tmp_path / "images"
    tmp_path.mkdir()
    with pytest.raises(DatasetError, match="two class sub-folders"):
        load_folder(tmp_path)
    with pytest.raises(DatasetError, match="--data-dir"):
        load_splits("folder")


def test_augmentation_and_batches() -> None:
    images = np.arange(4 * 1 * 5 * 5, dtype=np.float32).reshape(4, 1, 5, 5)
    data = Dataset("t", images, np.arange(4), ("a", "b", "c", "d"))
    assert Augmentation().apply(images, np.random.default_rng(0)) is images
    shifted = Augmentation(max_shift=2, flip=True).apply(images, np.random.default_rng(0))
    assert shifted.shape == images.shape and not np.array_equal(shifted, images)
    batches = list(iterate_batches(data, 3, np.random.default_rng(0)))
    assert [len(b[1]) for b in batches] == [3, 1]
    assert sorted(np.concatenate([b[1] for b in batches]).tolist()) == [0, 1, 2, 3]
    assert parse_augmentation("shift:3,flip") == Augmentation(3, True)
    with pytest.raises(ValueError):
        parse_augmentation("rotate")
