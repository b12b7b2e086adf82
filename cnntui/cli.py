"""The command line: `cnntui` starts the TUI; `cnntui NAME ...` runs a headless subcommand.

Subcommands are listed in `COMMANDS` (name -> module); each module defines `NAME`, `HELP`,
`add_arguments(parser)` and `run(args) -> int`. To add one, write the module and add its line to
`COMMANDS`. A listed module that fails to import is an error naming it, never a missing command. Errors never show a
traceback: bad input is one line on stderr and exit status 2; an unexpected failure is one line and
exit status 1 (`CNNTUI_DEBUG=1` shows the traceback); Ctrl-C exits 130 quietly.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType
from typing import Any, NoReturn

from cnntui import __version__
from cnntui.errors import UsageError
from cnntui.helpformat import CellHelpFormatter
from cnntui.i18n import _, ngettext
from cnntui.train.choices import DEVICES

PROG = "cnntui"
EXIT_USAGE = 2
EXIT_INTERNAL = 1
EXIT_INTERRUPTED = 130


def route_argparse_messages() -> None:
    """Make argparse's own words (usage:, options:, its errors) speak cnntui's language.

    argparse looks its messages up with the module-level `_` and `ngettext` it imported from
    `gettext` (at call time, so replacing them here takes effect for every parser); their ids are
    in cnntui's catalogue through `cnntui.argparse_messages`. In English the ids come back
    unchanged, so English output is argparse's own.
    """
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]


route_argparse_messages()


class OneLineArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (`PROG: error: MESSAGE`) and exit status 2,
    and whose help is wrapped by terminal cells (Korean help fits the terminal)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", CellHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        message = " ".join(message.split())
        line = _("{prog}: error: {message} (see '{prog} --help')").format(
            prog=self.prog, message=message
        )
        self.exit(EXIT_USAGE, line + "\n")


def _debug() -> bool:
    return os.environ.get("CNNTUI_DEBUG", "") not in ("", "0")


COMMANDS: dict[str, str] = {
    "bench": "cnntui.commands.bench",
    "calc": "cnntui.commands.calc",
    "conv": "cnntui.commands.conv",
    "dcgan": "cnntui.commands.dcgan",
    "doctor": "cnntui.commands.doctor",
    "explain": "cnntui.commands.explain",
    "export": "cnntui.commands.export",
    "gan": "cnntui.commands.gan",
    "init-stats": "cnntui.commands.initstats",
    "lessons": "cnntui.commands.lessons",
    "models": "cnntui.commands.models",
    "pool": "cnntui.commands.pool",
    "serve": "cnntui.commands.serve",
    "summary": "cnntui.commands.summary",
    "train": "cnntui.commands.train",
    "transfer": "cnntui.commands.transfer",
}
"""Every subcommand: its name on the command line and the module that implements it."""


class CommandImportError(RuntimeError):
    """A subcommand listed in `COMMANDS` whose module cannot be imported or is incomplete."""


def load_commands(table: dict[str, str] | None = None) -> dict[str, ModuleType]:
    """The modules of `table` (default `COMMANDS`), by name, sorted by name.

    Raises CommandImportError naming the subcommand whose module fails to import, lacks `run`,
    or gives another `NAME`.
    """
    found: dict[str, ModuleType] = {}
    for name, module_name in sorted((COMMANDS if table is None else table).items()):
        try:
            module = importlib.import_module(module_name)
        except Exception as error:
            raise CommandImportError(
                _("subcommand {name} ({module}) failed to import: {kind}: {reason}").format(
                    name=repr(name), module=module_name, kind=type(error).__name__, reason=error
                )
            ) from error
        if getattr(module, "NAME", None) != name or not callable(getattr(module, "run", None)):
            raise CommandImportError(
                _("subcommand {name}: {module} must define NAME = {name} and run(args)").format(
                    name=repr(name), module=module_name
                )
            )
        found[name] = module
    return found


def build_parser(commands: dict[str, ModuleType] | None = None) -> OneLineArgumentParser:
    """The top-level parser with one subparser per command (default: those of `COMMANDS`)."""
    if commands is None:
        commands = load_commands()
    parser = OneLineArgumentParser(
        prog=PROG,
        description=_(
            "A terminal tutor and workbench for convolutional neural networks. "
            "With no subcommand, cnntui starts the interactive app."
        ),
        epilog=_("Run 'cnntui SUBCOMMAND --help' for a subcommand's options."),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"{PROG} {__version__}",
        help=_("show program's version number and exit"),
    )
    parser.add_argument(
        "--lesson",
        metavar="NAME",
        help=_(
            "open the app at this lesson: its file name or a unique part of it, e.g. 05-pooling or pooling"
        ),
    )
    parser.add_argument(
        "--ascii",
        action="store_true",
        default=None,
        help=_("draw with plain ASCII only: no block, braille or box glyphs (also CNNTUI_ASCII=1)"),
    )
    parser.add_argument(
        "--device",
        choices=DEVICES,
        help=_("where labs compute: auto (GPU when it works), cpu or gpu (also CNNTUI_DEVICE)"),
    )
    _add_lang_argument(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="SUBCOMMAND", title="subcommands")
    for name, module in commands.items():
        # Each module's HELP is marked with N_ and translated here, in the chosen language.
        help_text = _(module.HELP) if getattr(module, "HELP", "") else ""
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        add_arguments = getattr(module, "add_arguments", None)
        if callable(add_arguments):
            add_arguments(sub)
        _add_lang_argument(sub)
        sub.set_defaults(_command_module=module, _command_parser=sub)
    return parser


def _add_lang_argument(parser: argparse.ArgumentParser) -> None:
    from cnntui.i18n import LANGUAGES

    if any("--lang" in action.option_strings for action in parser._actions):
        return
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        help=_("language of lessons, screens and messages (also CNNTUI_LANG; default: the locale)"),
    )


def _lang_in(arguments: Sequence[str]) -> str | None:
    """The value of the last `--lang X` or `--lang=X` before a lone `--`, if any."""
    found = None
    for index, argument in enumerate(arguments):
        if argument == "--":
            break
        if argument == "--lang" and index + 1 < len(arguments):
            found = arguments[index + 1]
        elif argument.startswith("--lang="):
            found = argument.split("=", 1)[1]
    return found


def choose_language(arguments: Sequence[str]) -> str:
    """Set cnntui's language from the arguments, the environment, the settings and the locale
    (in that order, see `cnntui.i18n.resolve_language`) before any text is produced."""
    from cnntui.i18n import resolve_language, set_language
    from cnntui.settings import language_setting

    # Only the language is read here: the settings' warnings are made (in this language) and
    # shown by the app, and a broken file is set aside there, where the learner is told.
    return set_language(resolve_language(_lang_in(arguments), language_setting()))


def main(argv: Sequence[str] | None = None) -> int:
    """Run cnntui with these arguments (default: `sys.argv[1:]`) and return the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    name = PROG
    # Overflow and invalid-value warnings from NumPy would print over the output (or the TUI);
    # what they signal is reported where it matters (a diverged run, a refused value).
    warnings.filterwarnings("ignore", category=RuntimeWarning)
    try:
        choose_language(arguments)
        parser = build_parser()
        try:
            args, extras = parser.parse_known_args(arguments)
            if extras:
                owner = getattr(args, "_command_parser", parser)
                owner.error(_("unrecognized arguments: %s") % " ".join(extras))
        except SystemExit as exit_:
            return (
                exit_.code
                if isinstance(exit_.code, int)
                else (0 if exit_.code is None else EXIT_USAGE)
            )
        module = getattr(args, "_command_module", None)
        if module is None:
            return run_app(args)
        name = f"{PROG} {args.command}"
        status = module.run(args)
        return int(status or 0)
    except UsageError as error:
        print(
            _("{name}: error: {message}").format(name=name, message=_one_line(str(error))),
            file=sys.stderr,
        )
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`cnntui lessons | head`): stop quietly without a flush error.
        _silence_stdout()
        return EXIT_INTERNAL
    except SystemExit:
        raise
    except Exception as error:
        if _debug():
            import traceback

            traceback.print_exc()
        else:
            print(
                _(
                    "{name}: internal error: {kind}: {message} "
                    "(rerun with CNNTUI_DEBUG=1 to see the traceback)"
                ).format(name=name, kind=type(error).__name__, message=_one_line(str(error))),
                file=sys.stderr,
            )
        return EXIT_INTERNAL


def run_app(args: argparse.Namespace) -> int:
    """Start the interactive app with the top-level options."""
    if args.device:
        # Labs and the training process read the choice from the environment.
        os.environ["CNNTUI_DEVICE"] = args.device
    if args.lesson:
        # A lesson's name is its file name: listing the files is enough, and instant (parsing
        # every lesson here would delay the first frame by the cost of their templates).
        from cnntui.lesson_names import resolve_lesson
        from cnntui.resources import lessons_dir

        try:
            folder = lessons_dir()
        except FileNotFoundError as error:
            raise UsageError(str(error)) from None
        names = (p.stem for p in folder.glob("*.md") if not p.name.startswith(("_", ".")))
        args.lesson = resolve_lesson(args.lesson, names)
    if not (sys.stdin.isatty() and sys.stdout.isatty()) and "headless" not in os.environ.get(
        "TEXTUAL", ""
    ):
        raise UsageError(
            _(
                "the app needs a terminal; for output you can pipe, "
                "use a subcommand (see 'cnntui --help')"
            )
        )

    from cnntui.ui.app import CnnTuiApp

    app = CnnTuiApp(ascii=args.ascii, start_lesson=args.lesson, device=args.device)
    app.run()
    return int(app.return_code or 0)


def _one_line(text: str) -> str:
    return " ".join(text.split()) or _("(no message)")


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
