"""LeNet-5: the modern reading (ReLU, max-pool, softmax) and the 1998 paper's network."""

from __future__ import annotations

from cnntui.engine import nn
from cnntui.zoo.lenet1998 import RBFOutput, ScaledTanh, SparseConv2d, Subsampling


def lenet5(num_classes: int = 10, in_channels: int = 1, padding: int = 0) -> nn.Sequential:
    """LeNet-5 as it is usually taught today, for 1×32×32 input (or 1×28×28 with `padding=2`).

    C1: 6 maps 5×5 → ReLU → S2: 2×2 max-pool → C3: 16 maps 5×5 (every input map) → ReLU →
    S4: max-pool → flatten (400) → C5: FC 120 → F6: FC 84 → output: FC 10 (softmax in the loss).
    61,706 parameters. Names follow the paper (c1, s2, c3, s4, c5, f6, output).
    """
    return nn.Sequential(
        c1=nn.Conv2d(in_channels, 6, 5, padding=padding),
        relu1=nn.ReLU(),
        s2=nn.MaxPool2d(2, stride=2),
        c3=nn.Conv2d(6, 16, 5),
        relu3=nn.ReLU(),
        s4=nn.MaxPool2d(2, stride=2),
        flatten=nn.Flatten(),
        c5=nn.Linear(16 * 5 * 5, 120),
        relu5=nn.ReLU(),
        f6=nn.Linear(120, 84),
        relu6=nn.ReLU(),
        output=nn.Linear(84, num_classes),
    )


def lenet5_small(num_classes: int = 10, in_channels: int = 1) -> nn.Sequential:
    """LeNet-5 shrunk for 1×8×8 input (the 8×8 handwritten digits): 3×3 convolutions with
    padding 1, so the two 2×2 pools leave 16×2×2 = 64 features for the same 120-84-10 head."""
    return nn.Sequential(
        c1=nn.Conv2d(in_channels, 6, 3, padding=1),
        relu1=nn.ReLU(),
        s2=nn.MaxPool2d(2, stride=2),
        c3=nn.Conv2d(6, 16, 3, padding=1),
        relu3=nn.ReLU(),
        s4=nn.MaxPool2d(2, stride=2),
        flatten=nn.Flatten(),
        c5=nn.Linear(16 * 2 * 2, 120),
        relu5=nn.ReLU(),
        f6=nn.Linear(120, 84),
        relu6=nn.ReLU(),
        output=nn.Linear(84, num_classes),
    )


def lenet5_1998() -> nn.Sequential:
    """LeNet-5 exactly as in LeCun et al. (1998), for 1×32×32 input.

    C1 (156) → S2 trainable sub-sampling (12) → C3 with the sparse table (1,516) → S4 (32) →
    C5, a 5×5 convolution to 120×1×1 (48,120) → F6 (10,164) → Euclidean RBF output (840 fixed).
    Every layer up to F6 is squashed by 1.7159·tanh(2a/3). Trainable: exactly 60,000.
    """
    return nn.Sequential(
        c1=nn.Conv2d(1, 6, 5),
        squash1=ScaledTanh(),
        s2=Subsampling(6),
        squash2=ScaledTanh(),
        c3=SparseConv2d(6, 16, 5),
        squash3=ScaledTanh(),
        s4=Subsampling(16),
        squash4=ScaledTanh(),
        c5=nn.Conv2d(16, 120, 5),
        squash5=ScaledTanh(),
        flatten=nn.Flatten(),
        f6=nn.Linear(120, 84),
        squash6=ScaledTanh(),
        output=RBFOutput(84, 10),
    )
