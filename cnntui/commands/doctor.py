"""`cnntui doctor`: versions, the GPU and why it is or is not used, the terminal, and advice."""

from __future__ import annotations

import argparse
from typing import Any

from cnntui.i18n import N_, Message, _

NAME = "doctor"
HELP = N_("check the installation: versions, GPU, terminal colours and size, lessons, with advice")

MIN_COLUMNS = 80
MIN_LINES = 24


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=_("print one JSON document"))
    parser.add_argument(
        "--no-gpu",
        action="store_true",
        help=_("skip the GPU probe (which imports CuPy and runs a small kernel)"),
    )


def _version(distribution: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _cupy_version() -> str | None:
    for name in ("cupy-cuda13x", "cupy-cuda12x", "cupy-cuda11x", "cupy"):
        found = _version(name)
        if found:
            return f"{found} ({name})"
    return None


def gpu_report(skip: bool) -> dict[str, Any]:
    """What `cnntui.engine.backend` says about the GPU; degrades when the engine is absent."""
    if skip:
        return {"available": False, "reason": "probe skipped (--no-gpu)"}
    try:
        from cnntui.engine.backend import get_backend
    except ImportError as error:
        return {
            "available": False,
            "reason": f"the engine's backend module is unavailable ({error})",
        }
    try:
        backend = get_backend("auto")
    except Exception as error:  # the probe itself must never take doctor down
        return {"available": False, "reason": f"GPU probe failed: {type(error).__name__}: {error}"}
    report: dict[str, Any] = {"available": backend.is_gpu, "device": backend.device}
    if backend.reason:
        report["reason"] = backend.reason
    if backend.memory_total is not None:
        report["memory_free"] = backend.memory_free
        report["memory_total"] = backend.memory_total
    return report


def terminal_report() -> dict[str, Any]:
    import os
    import shutil
    import sys

    from rich.console import Console

    size = shutil.get_terminal_size(fallback=(0, 0))
    # What the environment implies for a terminal, even when doctor's own output is piped.
    detected = Console(force_terminal=True, file=sys.stderr).color_system or "none"
    override = os.environ.get("TEXTUAL_COLOR_SYSTEM", "")
    color_system = override if override in ("truecolor", "256", "standard", "windows") else detected
    if os.environ.get("NO_COLOR"):
        color_system = "none"
    encoding = (
        os.environ.get("LC_ALL") or os.environ.get("LC_CTYPE") or os.environ.get("LANG") or ""
    ).upper()
    return {
        "columns": size.columns,
        "lines": size.lines,
        "is_tty": sys.stdout.isatty(),
        "TERM": os.environ.get("TERM", ""),
        "COLORTERM": os.environ.get("COLORTERM", ""),
        "TEXTUAL_COLOR_SYSTEM": override,
        "color_system": color_system,
        "utf8": "UTF-8" in encoding or "UTF8" in encoding,
        "ssh": bool(os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY")),
        "tmux": bool(os.environ.get("TMUX")),
    }


def advice(document: dict[str, Any]) -> list[Message]:
    """Plain suggestions from the findings, most useful first (shown in the current language;
    the `--json` document keeps them in English)."""
    import shutil

    tips: list[Message] = []
    terminal = document["terminal"]
    colours = terminal["color_system"]
    if colours == "256" and not terminal["COLORTERM"]:
        tips.append(
            Message(
                N_(
                    "Colours: 256. If your terminal does truecolor, set COLORTERM=truecolor (over "
                    "SSH add 'SendEnv COLORTERM' on the client and 'AcceptEnv COLORTERM' on the "
                    "server) or TEXTUAL_COLOR_SYSTEM=truecolor."
                )
            )
        )
    elif colours == "standard":
        tips.append(
            Message(
                N_(
                    "Colours: 16. cnntui uses the ansi-dark theme; if your terminal can do more, "
                    "set TERM=xterm-256color."
                )
            )
        )
    elif colours == "none":
        tips.append(
            Message(
                N_(
                    "Colours are off (NO_COLOR or a dumb terminal); cnntui still works, in "
                    "monochrome."
                )
            )
        )
    columns, lines = terminal["columns"], terminal["lines"]
    if terminal["is_tty"] and (columns < MIN_COLUMNS or lines < MIN_LINES):
        tips.append(
            Message(
                N_(
                    "The terminal is {columns}x{lines}; cnntui needs at least "
                    "{min_columns}x{min_lines}."
                ),
                columns=columns,
                lines=lines,
                min_columns=MIN_COLUMNS,
                min_lines=MIN_LINES,
            )
        )
    if not terminal["utf8"]:
        tips.append(
            Message(
                N_(
                    "The locale is not UTF-8: start cnntui with --ascii (or CNNTUI_ASCII=1) for "
                    "plain glyphs."
                )
            )
        )
    if terminal["tmux"] and colours != "truecolor":
        tips.append(Message(N_("In tmux, add: set -as terminal-features ',*:RGB' for truecolor.")))
    gpu = document["gpu"]
    if not gpu["available"]:
        reason = gpu.get("reason", "")
        if "not installed" in reason and shutil.which("nvidia-smi"):
            tips.append(
                Message(
                    N_(
                        "An NVIDIA driver is present but CuPy is not: pip install 'cnntui[gpu]' "
                        "(CUDA 12) or 'cnntui[gpu-cuda13]' (CUDA 13); nvidia-smi shows the CUDA "
                        "version."
                    )
                )
            )
        elif "skipped" not in reason:
            tips.append(
                Message(
                    N_("Labs compute on the CPU with NumPy; everything works, training is slower.")
                )
            )
    if document["lessons"]["problems"]:
        tips.append(
            Message(N_("Some lessons have problems: run 'cnntui lessons --check' for the list."))
        )
    for warning in document["settings"]["warnings"]:
        tips.append(Message(N_("Settings: {warning}"), warning=warning))
    return tips


def run(args: argparse.Namespace) -> int:
    import os
    import platform
    import sys

    from cnntui import __version__
    from cnntui.commands._output import print_json
    from cnntui.lessons import load_lessons
    from cnntui.progress import progress_path
    from cnntui.resources import lessons_dir
    from cnntui.settings import config_path, load_settings

    settings, warnings = load_settings()
    try:
        folder = str(lessons_dir())
    except FileNotFoundError as error:
        folder = f"missing: {error}"
    lessons = load_lessons()
    document: dict[str, Any] = {
        "cnntui": __version__,
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "platform": platform.platform(terse=True),
        "numpy": _version("numpy"),
        "textual": _version("textual"),
        "rich": _version("rich"),
        "textual_plotext": _version("textual-plotext"),
        "plotext": _version("plotext"),
        "cupy": _cupy_version(),
        "gpu": gpu_report(args.no_gpu),
        "device_setting": os.environ.get("CNNTUI_DEVICE") or settings.device,
        "terminal": terminal_report(),
        "settings": {
            "file": str(config_path()),
            "exists": config_path().is_file(),
            "warnings": warnings,
        },
        "progress_file": str(progress_path()),
        "lessons": {
            "folder": folder,
            "count": len(lessons),
            "problems": sum(len(lesson.problems) for lesson in lessons),
        },
    }
    tips = advice(document)
    document["advice"] = [tip.english() for tip in tips]
    if args.json:
        print_json(document)
        return 0
    gpu = document["gpu"]
    gpu_line = (
        gpu.get("device", "")
        if gpu["available"]
        else _("not used: {reason}").format(
            reason=Message(gpu["reason"]) if gpu.get("reason") else _("unknown")
        )
    )
    if gpu.get("memory_total"):
        gpu_line += _(", {free} of {total} GiB free").format(
            free=f"{gpu['memory_free'] / 2**30:.1f}", total=f"{gpu['memory_total'] / 2**30:.1f}"
        )
    from cnntui.cells import cell_width, pad_cells

    terminal = document["terminal"]
    rows = [
        ("cnntui", document["cnntui"]),
        ("Python", f"{document['python']} ({document['python_executable']})"),
        (_("platform"), document["platform"]),
        ("numpy", document["numpy"] or _("missing")),
        ("textual", document["textual"] or _("missing")),
        ("rich", document["rich"] or _("missing")),
        ("textual-plotext", document["textual_plotext"] or _("missing")),
        ("CuPy", document["cupy"] or _("not installed")),
        ("GPU", gpu_line),
        (_("device setting"), document["device_setting"]),
        (
            _("terminal"),
            f"{terminal['columns']}x{terminal['lines']}"
            + ("" if terminal["is_tty"] else _(" (not a terminal)")),
        ),
        (_("colours"), terminal["color_system"]),
        ("TERM", terminal["TERM"] or _("(unset)")),
        ("COLORTERM", terminal["COLORTERM"] or _("(unset)")),
        (_("over SSH"), _("yes") if terminal["ssh"] else _("no")),
        (
            _("settings"),
            document["settings"]["file"]
            + ("" if document["settings"]["exists"] else _(" (not created)")),
        ),
        (_("progress"), document["progress_file"]),
        (
            _("lessons"),
            _("{count} in {folder}").format(
                count=document["lessons"]["count"], folder=document["lessons"]["folder"]
            ),
        ),
    ]
    width = max(cell_width(label) for label, _value in rows)
    for label, value in rows:
        print(f"{pad_cells(label, width)}  {value}")
    if document["advice"]:
        print("\n" + _("advice:"))
        for tip in tips:
            print(f"  - {tip}")
    return 0
