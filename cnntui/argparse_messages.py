"""argparse's own words (usage:, options:, its error messages), marked for cnntui's catalogue.

argparse translates its messages with `gettext`; `cnntui.cli` routes those calls to
`cnntui.i18n`, so they are found in cnntui's catalogue. These are the message ids of the argparse
that ships with Python 3.11 and later that a user can see; `N_` only marks them for extraction.

Pure: no Textual, no Rich.
"""

from __future__ import annotations

from cnntui.i18n import N_

MESSAGES: tuple[str, ...] = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("subcommands"),
    N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("not allowed with argument %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("ignored explicit argument %r"),
    N_("unexpected option string: %s"),
    N_("can't open '%(filename)s': %(error)s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
)
"""argparse's user-visible message ids, exactly as argparse spells them."""
