"""AlexNet: the paper's two-GPU network and torchvision's single-tower variant."""

from __future__ import annotations

from cnntui.engine import nn


def alexnet(num_classes: int = 1000, in_channels: int = 3, grouped: bool = True) -> nn.Sequential:
    """Krizhevsky, Sutskever & Hinton (2012), for 3×227×227 input.

    Five convolutions of 96-256-384-384-256 filters and three FC layers (4096-4096-classes), ReLU,
    local response normalisation after conv1 and conv2, overlapping 3×3/2 max-pooling, dropout 0.5
    before fc7 and fc8. With `grouped` (the default) conv2, conv4 and conv5 are split in two groups,
    as the network was split over two GPUs: each half only sees the 48 (or 192) maps on its own
    GPU. 60,965,224 parameters grouped, 62,378,344 ungrouped (1000 classes). Layer names are the
    paper's (and Caffe's): conv1 … conv5, fc6 … fc8.
    """
    groups = 2 if grouped else 1
    return nn.Sequential(
        conv1=nn.Conv2d(in_channels, 96, 11, stride=4),
        relu1=nn.ReLU(),
        norm1=nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0),
        pool1=nn.MaxPool2d(3, stride=2),
        conv2=nn.Conv2d(96, 256, 5, padding=2, groups=groups),
        relu2=nn.ReLU(),
        norm2=nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0),
        pool2=nn.MaxPool2d(3, stride=2),
        conv3=nn.Conv2d(256, 384, 3, padding=1),
        relu3=nn.ReLU(),
        conv4=nn.Conv2d(384, 384, 3, padding=1, groups=groups),
        relu4=nn.ReLU(),
        conv5=nn.Conv2d(384, 256, 3, padding=1, groups=groups),
        relu5=nn.ReLU(),
        pool5=nn.MaxPool2d(3, stride=2),
        flatten=nn.Flatten(),
        fc6=nn.Linear(256 * 6 * 6, 4096),
        relu6=nn.ReLU(),
        drop6=nn.Dropout(0.5),
        fc7=nn.Linear(4096, 4096),
        relu7=nn.ReLU(),
        drop7=nn.Dropout(0.5),
        fc8=nn.Linear(4096, num_classes),
    )


def alexnet_torchvision(num_classes: int = 1000, dropout: float = 0.5) -> nn.Sequential:
    """torchvision's AlexNet ("One weird trick" channels 64-192-384-256-256), 3×224×224 input.

    Adaptive average pooling to 6×6 lets it take any input from 63×63 up. 61,100,840 parameters.
    Names match torchvision's state dict (`features.0`, `classifier.6`).
    """
    return nn.Sequential(
        features=nn.Sequential(
            nn.Conv2d(3, 64, 11, stride=4, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(3, stride=2),
            nn.Conv2d(64, 192, 5, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(3, stride=2),
            nn.Conv2d(192, 384, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(384, 256, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(256, 256, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(3, stride=2),
        ),
        avgpool=nn.AdaptiveAvgPool2d((6, 6)),
        flatten=nn.Flatten(),
        classifier=nn.Sequential(
            nn.Dropout(dropout),
            nn.Linear(256 * 6 * 6, 4096),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(),
            nn.Linear(4096, num_classes),
        ),
    )
