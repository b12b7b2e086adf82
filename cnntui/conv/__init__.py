"""The Conv Lab's numerics: a kernel stepped across an image, one output position at a time.

* `stepper`: the grid the window slides over and every position's working (`Stepper`);
* `kernels`: the named kernel library (edges, blur, sharpen, ...) and the kernel text format;
* `presets`: the validator for `cnntui:conv?...` lesson links.

Pure Python and NumPy: importing this package never imports Textual, Rich or CuPy.
"""

from __future__ import annotations
