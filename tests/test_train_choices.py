"""The Train lab's lists are written once (`cnntui.train.choices`) and every user of them agrees."""

from __future__ import annotations

import argparse

from cnntui import zoo
from cnntui.cli import build_parser
from cnntui.data.registry import DATASETS as DATA_REGISTRY
from cnntui.train import choices
from cnntui.train.presets import validate


def test_models_are_the_zoos_trainable_entries_in_its_order() -> None:
    assert choices.MODELS == tuple(entry.name for entry in zoo.entries() if entry.trainable)
    assert set(choices.COMPARE_MODELS) <= set(choices.MODELS)


def test_data_sets_are_the_data_registry() -> None:
    assert choices.DATASETS == tuple(DATA_REGISTRY)


def test_the_link_validator_accepts_exactly_the_registry() -> None:
    for key, values in (
        ("model", choices.MODELS),
        ("dataset", choices.DATASETS),
        ("optimizer", choices.OPTIMIZERS),
        ("view", choices.VIEWS),
        ("compare", choices.COMPARISONS),
    ):
        for value in values:
            assert validate({key: value}) == [], (key, value)
        assert validate({key: "no-such-" + key}), key
    assert validate({"dataset": "folder"}) == []


def _train_parser() -> argparse.ArgumentParser:
    parser = build_parser()
    subparsers = next(
        action for action in parser._actions if isinstance(action, argparse._SubParsersAction)
    )
    return subparsers.choices["train"]


def test_the_train_command_offers_the_registry() -> None:
    options = {
        option: action for action in _train_parser()._actions for option in action.option_strings
    }
    assert tuple(options["--optimizer"].choices) == choices.OPTIMIZERS
    assert tuple(options["--schedule"].choices) == choices.SCHEDULES
    assert tuple(options["--device"].choices) == choices.DEVICES
    dataset_help = options["--dataset"].help or ""
    assert all(name in dataset_help for name in choices.DATASETS), dataset_help
    model_help = next(a for a in _train_parser()._actions if a.dest == "model").help or ""
    assert all(name in model_help for name in choices.MODELS), model_help


def test_the_train_form_lists_the_registry() -> None:
    from cnntui.ui.train import screen, setup

    assert [name for _, name in setup.trainable_models()] == list(choices.MODELS)
    assert screen.VIEWS == choices.VIEWS
    assert setup.DATASETS == choices.DATASETS
