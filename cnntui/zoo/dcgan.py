"""DCGAN's generator and discriminator (Radford et al. 2015), in the PyTorch tutorial's layout."""

from __future__ import annotations

from cnntui.engine import nn


def generator(nz: int = 100, ngf: int = 64, nc: int = 3) -> nn.Sequential:
    """Noise nz×1×1 → nc×64×64 image: transposed convolutions 4×4 (the first stride 1 without
    padding, then stride 2 padding 1), doubling the size each time while halving the channels
    (8·ngf → ngf), batch norm and ReLU, tanh at the end. 3,576,704 parameters for the defaults.
    Names match the tutorial's state dict (`main.0.weight`)."""
    return nn.Sequential(
        main=nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, stride=1, padding=0, bias=False),
            nn.BatchNorm2d(ngf * 8),
            nn.ReLU(),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(ngf),
            nn.ReLU(),
            nn.ConvTranspose2d(ngf, nc, 4, stride=2, padding=1, bias=False),
            nn.Tanh(),
        )
    )


def discriminator(ndf: int = 64, nc: int = 3) -> nn.Sequential:
    """nc×64×64 image → probability 1×1×1 that it is real: strided 4×4 convolutions halving the
    size (ndf → 8·ndf channels), batch norm from the second on, LeakyReLU(0.2), sigmoid at the
    end. 2,765,568 parameters for the defaults."""
    return nn.Sequential(
        main=nn.Sequential(
            nn.Conv2d(nc, ndf, 4, stride=2, padding=1, bias=False),
            nn.LeakyReLU(0.2),
            nn.Conv2d(ndf, ndf * 2, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2),
            nn.Conv2d(ndf * 2, ndf * 4, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(ndf * 4),
            nn.LeakyReLU(0.2),
            nn.Conv2d(ndf * 4, ndf * 8, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(ndf * 8),
            nn.LeakyReLU(0.2),
            nn.Conv2d(ndf * 8, 1, 4, stride=1, padding=0, bias=False),
            nn.Sigmoid(),
        )
    )
