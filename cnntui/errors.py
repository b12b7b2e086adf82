"""Errors shared by every layer of cnntui.

`UsageError` is what a headless command raises for bad input: the command line prints its message
on one line to stderr and exits with status 2, never a traceback.
"""

from __future__ import annotations


class CnnTuiError(Exception):
    """Base class for errors that carry a message meant for the user."""


class UsageError(CnnTuiError):
    """Bad input from the user (arguments, files, settings): exit status 2 on the command line."""


class ShapeError(CnnTuiError, ValueError):
    """A layer was given an input shape it cannot take; the message names the layer and both shapes."""
