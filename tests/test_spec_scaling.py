"""Spec checking scales with the spec's size: shared blocks are checked once, not once per
path, and TOML nested thousands deep is one problem."""

from __future__ import annotations

import time

import pytest

from cnntui.zoo.spec import validate_text


def _shared_concats(levels: int, width: int = 2) -> str:
    """Block b0 joins `width` copies of b1, which joins copies of b2, …: 2**levels paths."""
    lines = ['name = "x"', "input = [1, 8, 8]", "[[layers]]", 'type = "block"', 'block = "b0"']
    for i in range(levels):
        lines += [f"[blocks.b{i}]", f"[[blocks.b{i}.layers]]"]
        if i + 1 < levels:
            lines += ['type = "concat"', f"branches = {[f'b{i + 1}'] * width!r}".replace("'", '"')]
        else:
            lines += ['type = "relu"']
    return "\n".join(lines) + "\n"


def _all_to_later(blocks: int) -> str:
    """Every block concatenates every later one: a number of paths beyond counting."""
    lines = ['name = "x"', "input = [1, 4, 4]", "[[layers]]", 'type = "block"', 'block = "b0"']
    for i in range(blocks):
        later = [f'"b{j}"' for j in range(i + 1, blocks)]
        lines += [f"[blocks.b{i}]", f"[[blocks.b{i}.layers]]"]
        lines += (
            ['type = "concat"', f"branches = [{', '.join(later)}]"] if later else ['type = "relu"']
        )
    return "\n".join(lines) + "\n"


def test_shared_blocks_are_checked_once_not_once_per_path() -> None:
    started = time.perf_counter()
    assert validate_text(_shared_concats(11)) == []  # 1,024 relus, 1 KB of text
    problems = validate_text(_shared_concats(16))
    assert "more than 5,000 layers" in problems[0].message
    problems = validate_text(_all_to_later(40))
    assert "nest deeper than 16 levels" in problems[0].message
    # each took minutes or more when every path was walked; generous for a busy 2-core machine
    assert time.perf_counter() - started < 10


def test_a_long_chain_of_blocks_is_too_deep_and_a_cycle_is_found_once() -> None:
    problems = validate_text(_shared_concats(18, width=1))
    assert [p.message for p in problems] == ["blocks nest deeper than 16 levels"]
    cyclic = _shared_concats(3, width=1).replace('type = "relu"', 'type = "block"\nblock = "b0"')
    problems = validate_text(cyclic)
    assert [p.message for p in problems] == ["block 'b0' contains itself (b0 → b1 → b2 → b0)"]


def test_toml_nested_thousands_deep_is_one_problem(tmp_path) -> None:
    from cnntui.zoo.spec import SpecError, load_spec_file

    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    with pytest.raises(SpecError, match="deep.toml: the spec nests too deeply"):
        load_spec_file(path)
