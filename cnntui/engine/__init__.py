"""The numerical engine: NumPy (or CuPy on a GPU) layers with explicit forward and backward.

Modules:

* `module`: `Parameter`, `Module` (the layer contract) and symbolic tracing records;
* `nn`: layers, containers and losses constructed like `torch.nn`;
* `functional`: the operations themselves, with PyTorch's signatures, and their backward passes;
* `init`: PyTorch's default initialisers, He (Kaiming) and Xavier (Glorot);
* `optim`: SGD, Adam, AdamW and learning-rate schedules;
* `backend`: CPU/GPU choice, the CuPy probe, device facts, BLAS thread control;
* `outsize`: the output-size formula of every convolution and pooling window;
* `im2col`, `gpu_kernels`: the data movement under convolution and pooling.

Importing this package is cheap and never imports CuPy, Textual or Rich.
"""

from __future__ import annotations
