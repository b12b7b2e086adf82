"""The shipped pretrained networks: accuracy, reproducible retraining, the bundled digits, and
how they are listed."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cnntui.cli import main
from cnntui.explain import pretrained
from cnntui.explain.pretrain import pretrain
from cnntui.explain.report import explain


@pytest.fixture(autouse=True)
def _one_blas_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")


@pytest.mark.parametrize("name", pretrained.names())
def test_shipped_weights_reach_the_stated_accuracy(name: str) -> None:
    net = pretrained.load(name)
    splits = pretrained.load_data(net.spec, normalize_with=(net.mean, net.std))
    acc = pretrained.accuracy(net.module, splits.test.images, splits.test.labels)
    assert acc >= net.spec.stated_accuracy
    assert acc == pytest.approx(net.test_acc)  # the file says what it measured when written
    # the stored normalisation is the training split's, so retraining would use the same
    fresh = pretrained.load_data(net.spec)
    assert fresh.train.mean is not None and fresh.train.std is not None
    np.testing.assert_allclose(net.mean, fresh.train.mean)
    np.testing.assert_allclose(net.std, fresh.train.std)


def test_shipped_files_are_small_and_unpickled() -> None:
    total = 0
    for name in pretrained.names():
        path = pretrained.get_spec(name).path
        total += path.stat().st_size
        with np.load(path, allow_pickle=False) as data:
            assert all(data[k].dtype != object for k in data.files)
    assert total < 3_000_000


def test_retraining_is_deterministic_on_the_cpu() -> None:
    spec = pretrained.get_spec("lenet5-digits-0-4")
    first = pretrain(spec, max_steps=4).module.state_dict()
    second = pretrain(spec, max_steps=4).module.state_dict()
    other = pretrain(spec, seed=1, max_steps=4).module.state_dict()
    assert list(first) == list(second)
    for key in first:
        assert np.array_equal(first[key], second[key]), key
    assert not np.array_equal(first["c1.weight"], other["c1.weight"])


@pytest.mark.parametrize("digit", range(10))
def test_bundled_digits_are_read_correctly(digit: int) -> None:
    doc = explain("lenet5-digits", f"digit-{digit}")
    assert doc["prediction"]["label"] == str(digit)


def test_dataset_images_keep_their_labels() -> None:
    net = pretrained.load("lenet5-digits")
    splits = pretrained.load_data(net.spec)
    for index in (0, 12, 359):
        doc = explain("lenet5-digits", f"digits:test:{index}")
        assert doc["prediction"]["label"] == str(splits.test.labels[index])


def test_models_lists_the_pretrained_networks(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # the table fits descriptions to the terminal's width
    assert main(["models", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    by_name = {m["name"]: m for m in doc["models"]}
    for name in pretrained.names():
        assert by_name[name]["pretrained"] is True
    assert by_name["lenet5-digits"]["total_params"] == 61_706
    assert by_name["vgg16"]["pretrained"] is False
    assert main(["models"]) == 0
    assert "pretrained: LeNet-5 on the bundled" in capsys.readouterr().out
