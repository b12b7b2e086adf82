"""The GAN lab's numerics: pure Python and NumPy, no Textual, Rich or CuPy at import.

* `example`: the ten-sample generative-versus-discriminative example (exact fractions).
* `distributions`: the 2-D real distributions (ring, line, clusters, moons, drawn).
* `divergence`: the grid Jensen–Shannon divergence between two point clouds.
* `losses`: minimax, non-saturating and least-squares GAN losses on logits, with gradients.
* `gan2d`: a 2-D GAN of engine MLPs, stepped whole or through numbered sub-steps.
* `dcgan`: the all-convolutional DCGAN on `digits` or `shapes`, sample grids and diversity.
* `images`: sample grids written as PGM (always) and PNG (when Pillow is importable).
"""

from __future__ import annotations
