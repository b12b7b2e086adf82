"""The numerical engine: NumPy (or CuPy on a GPU) layers with explicit forward and backward.

Importing this package is cheap and never imports CuPy, Textual or Rich.
"""

from __future__ import annotations
