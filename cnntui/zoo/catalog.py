"""Every zoo entry, in historical order. Builders import the engine lazily, so listing is instant."""

from __future__ import annotations

from typing import Any

from cnntui.i18n import N_, _
from cnntui.zoo import ZooEntry

# Descriptions that hold numbers: the English template and its values, so that the Models head
# line can show them in the current language (`description_of`); `ZooEntry.description` keeps
# the English text that `--json` prints.
VGG_TEXT = N_("{depth} weight layers of 3×3 convolutions and 2×2 pools; {params} parameters")
VGG_BN_TEXT = N_(
    "{depth} weight layers of 3×3 convolutions and 2×2 pools, batch norm after every conv; "
    "{params} parameters"
)
RESNET_TEXT = {
    "basic": N_("basic residual blocks, {depth} layers; {params} parameters"),
    "bottleneck": N_("bottleneck residual blocks, {depth} layers; {params} parameters"),
}
_TEMPLATES: dict[str, tuple[str, dict[str, str]]] = {}


def _described(name: str, template: str, **values: str) -> str:
    """`template` filled with `values` in English, remembered for `description_of(name)`."""
    _TEMPLATES[name] = (template, values)
    return template.format(**values)


def _lenet5(**kw: Any) -> Any:
    from cnntui.zoo.lenet import lenet5

    return lenet5(**kw)


def _lenet5_28(**kw: Any) -> Any:
    from cnntui.zoo.lenet import lenet5

    return lenet5(padding=2, **kw)


def _lenet5_8(**kw: Any) -> Any:
    from cnntui.zoo.lenet import lenet5_small

    return lenet5_small(**kw)


def _lenet5_1998(**kw: Any) -> Any:
    from cnntui.zoo.lenet import lenet5_1998

    return lenet5_1998(**kw)


def _alexnet(grouped: bool) -> Any:
    def build(**kw: Any) -> Any:
        from cnntui.zoo.alexnet import alexnet

        return alexnet(grouped=grouped, **kw)

    return build


def _alexnet_tv(**kw: Any) -> Any:
    from cnntui.zoo.alexnet import alexnet_torchvision

    return alexnet_torchvision(**kw)


def _vgg(depth: int, batch_norm: bool) -> Any:
    def build(**kw: Any) -> Any:
        from cnntui.zoo.vgg import vgg

        return vgg(depth, batch_norm=batch_norm, **kw)

    return build


def _nin(**kw: Any) -> Any:
    from cnntui.zoo.nin import nin

    return nin(**kw)


def _googlenet(**kw: Any) -> Any:
    from cnntui.zoo.googlenet import GoogLeNet

    return GoogLeNet(**kw)


def _resnet(depth: int) -> Any:
    def build(**kw: Any) -> Any:
        from cnntui.zoo.resnet import resnet

        return resnet(depth, **kw)

    return build


def _tinyvgg_bn(**kw: Any) -> Any:
    from cnntui.zoo.small import tinyvgg

    return tinyvgg(batch_norm=True, **kw)


def _dcgan_g(**kw: Any) -> Any:
    from cnntui.zoo.dcgan import generator

    return generator(**kw)


def _dcgan_d(**kw: Any) -> Any:
    from cnntui.zoo.dcgan import discriminator

    return discriminator(**kw)


def _small(name: str) -> Any:
    def build(**kw: Any) -> Any:
        from cnntui.zoo import small

        return getattr(small, name)(**kw)

    return build


CLASSIFIER = {"num_classes": 1000, "in_channels": 3}
SMALL = {"num_classes": 10, "in_channels": 3}

_ALL: list[ZooEntry] = [
    ZooEntry(
        "lenet5",
        "LeNet-5",
        1998,
        N_("LeCun's digit reader as taught today: ReLU, max-pool, softmax; 61,706 parameters"),
        (1, 32, 32),
        _lenet5,
        num_classes=10,
        family="lenet5",
        trainable=True,
        options={"num_classes": 10, "in_channels": 1, "padding": 0},
        notes="LeCun, Bottou, Bengio & Haffner, Gradient-Based Learning Applied to Document "
        "Recognition, Proc. IEEE 1998. Two 5×5 convolutions with pooling, three FC layers.",
    ),
    ZooEntry(
        "lenet5-1998",
        "LeNet-5 (1998 paper)",
        1998,
        N_(
            "the paper's network: scaled tanh, trainable sub-sampling, sparse C3, RBF output; 60,000 trained"
        ),
        (1, 32, 32),
        _lenet5_1998,
        num_classes=10,
        family="lenet5",
        trainable=True,
        notes="C3 reads only some of S2's maps (Table I of the paper); S2 and S4 multiply 2×2 sums "
        "by a trainable coefficient; the output is the squared distance to fixed class codes.",
    ),
    ZooEntry(
        "alexnet",
        "AlexNet",
        2012,
        N_(
            "ILSVRC 2012 winner: 5 conv + 3 FC, ReLU, LRN, dropout, split over two GPUs; 60,965,224"
        ),
        (3, 227, 227),
        _alexnet(True),
        family="alexnet",
        options=dict(CLASSIFIER),
        notes="Krizhevsky, Sutskever & Hinton, NIPS 2012. conv2, conv4 and conv5 only see the maps "
        "on their own GPU (groups=2). 227×227 makes (227-11)/4+1 = 55 work; the paper says 224.",
    ),
    ZooEntry(
        "alexnet-ungrouped",
        "AlexNet (one tower)",
        2012,
        N_(
            "AlexNet with every convolution seeing all input maps (groups=1); 62,378,344 parameters"
        ),
        (3, 227, 227),
        _alexnet(False),
        family="alexnet",
        options=dict(CLASSIFIER),
        notes="The same layers as the paper's AlexNet on a single GPU: the grouped convolutions "
        "become full ones, which costs 1.4 million more parameters and 57% more MACs.",
    ),
    ZooEntry(
        "alexnet-torchvision",
        "AlexNet (torchvision)",
        2014,
        N_("torchvision's AlexNet (the 'one weird trick' widths 64-192-384-256-256); 61,100,840"),
        (3, 224, 224),
        _alexnet_tv,
        family="alexnet",
        options={"num_classes": 1000, "dropout": 0.5},
        notes="Krizhevsky, One weird trick for parallelizing convolutional neural networks, 2014. "
        "No LRN, no groups; adaptive average pooling to 6×6 accepts inputs from 63×63.",
    ),
    *[
        ZooEntry(
            f"vgg{depth}{'_bn' if bn else ''}",
            f"VGG-{depth}{' (batch norm)' if bn else ''}",
            2014,
            _described(
                f"vgg{depth}{'_bn' if bn else ''}",
                VGG_BN_TEXT if bn else VGG_TEXT,
                depth=str(depth),
                params=f"{params:,}",
            ),
            (3, 224, 224),
            _vgg(depth, bn),
            family="vgg",
            options={"num_classes": 1000, "in_channels": 3, "dropout": 0.5},
            notes="Simonyan & Zisserman, Very Deep Convolutional Networks for Large-Scale Image "
            "Recognition, ICLR 2015 (configurations A, B, D, E). torchvision layout.",
        )
        for depth, bn, params in (
            (11, False, 132863336),
            (11, True, 132868840),
            (13, False, 133047848),
            (13, True, 133053736),
            (16, False, 138357544),
            (16, True, 138365992),
            (19, False, 143667240),
            (19, True, 143678248),
        )
    ],
    ZooEntry(
        "nin",
        "Network in Network",
        2013,
        N_("mlpconv blocks (a k×k conv then two 1×1 convs) and global average pooling, no FC"),
        (3, 224, 224),
        _nin,
        family="nin",
        options=dict(CLASSIFIER),
        notes="Lin, Chen & Yan, Network In Network, ICLR 2014. The 1×1 convolutions and the global "
        "average pooling head were both taken up by GoogLeNet and ResNet.",
    ),
    ZooEntry(
        "googlenet",
        "GoogLeNet",
        2014,
        N_("ILSVRC 2014 winner: nine Inception modules, 1×1 reductions; 6,624,904 parameters"),
        (3, 224, 224),
        _googlenet,
        family="googlenet",
        options={"num_classes": 1000, "aux_logits": False, "in_channels": 3},
        notes="Szegedy et al., Going Deeper with Convolutions, CVPR 2015. torchvision layout with "
        "batch norm; aux_logits=true adds the two auxiliary classifiers used in training.",
    ),
    *[
        ZooEntry(
            f"resnet{depth}",
            f"ResNet-{depth}",
            2015,
            _described(f"resnet{depth}", RESNET_TEXT[kind], depth=str(depth), params=f"{params:,}"),
            (3, 224, 224),
            _resnet(depth),
            family="resnet",
            options=dict(CLASSIFIER),
            notes="He, Zhang, Ren & Sun, Deep Residual Learning for Image Recognition, CVPR 2016. "
            "torchvision layout (v1.5: stride on the 3×3 convolution of a bottleneck).",
        )
        for depth, kind, params in (
            (18, "basic", 11689512),
            (34, "basic", 21797672),
            (50, "bottleneck", 25557032),
            (101, "bottleneck", 44549160),
            (152, "bottleneck", 60192808),
        )
    ],
    ZooEntry(
        "dcgan-generator",
        "DCGAN generator",
        2015,
        N_("noise 100×1×1 to a 3×64×64 image by transposed convolutions; 3,576,704 parameters"),
        (100, 1, 1),
        _dcgan_g,
        num_classes=None,
        family="dcgan",
        options={"nz": 100, "ngf": 64, "nc": 3},
        notes="Radford, Metz & Chintala, Unsupervised Representation Learning with Deep "
        "Convolutional Generative Adversarial Networks, 2015. PyTorch tutorial layout.",
    ),
    ZooEntry(
        "dcgan-discriminator",
        "DCGAN discriminator",
        2015,
        N_("3×64×64 image to P(real) by strided convolutions, LeakyReLU; 2,765,568 parameters"),
        (3, 64, 64),
        _dcgan_d,
        num_classes=None,
        family="dcgan",
        options={"ndf": 64, "nc": 3},
        notes="Radford, Metz & Chintala, 2015. No pooling: strided convolutions downsample.",
    ),
    ZooEntry(
        "tinyvgg",
        "TinyVGG",
        2020,
        N_(
            "CNN Explainer's 10-class net for 64×64 colour images: two conv-conv-pool blocks; 19,920"
        ),
        (3, 64, 64),
        _small("tinyvgg"),
        num_classes=10,
        family="tinyvgg",
        trainable=True,
        options={"num_classes": 10, "in_channels": 3, "width": 10},
        notes="Wang et al., CNN Explainer: Learning Convolutional Neural Networks with Interactive "
        "Visualization, IEEE VIS 2020.",
    ),
    ZooEntry(
        "tinyvgg-bn",
        "TinyVGG with batch norm",
        2015,
        N_("TinyVGG with batch normalisation after every convolution (biases dropped); 19,960"),
        (3, 64, 64),
        _tinyvgg_bn,
        num_classes=10,
        family="tinyvgg",
        trainable=True,
        options={"num_classes": 10, "in_channels": 3, "width": 10},
        notes="Ioffe & Szegedy, Batch Normalization: Accelerating Deep Network Training by "
        "Reducing Internal Covariate Shift, ICML 2015. The batch-norm lesson trains it beside "
        "plain TinyVGG.",
    ),
    ZooEntry(
        "lenet5-28",
        "LeNet-5 for 28×28",
        1998,
        N_("modern LeNet-5 with padding 2 on C1 for 28×28 digits (MNIST size); 61,706 parameters"),
        (1, 28, 28),
        _lenet5_28,
        num_classes=10,
        family="lenet5",
        trainable=True,
        options={"num_classes": 10, "in_channels": 1},
        notes="Padding 2 on the first convolution gives the 28×28 feature maps the 32×32 paper "
        "input produced, so every later layer is unchanged.",
    ),
    ZooEntry(
        "lenet5-8",
        "LeNet-5 for 8×8",
        1998,
        N_("LeNet-5 shrunk for the 8×8 digits: 3×3 convs with padding 1, same 120-84-10 head"),
        (1, 8, 8),
        _lenet5_8,
        num_classes=10,
        family="lenet5",
        trainable=True,
        options={"num_classes": 10, "in_channels": 1},
        notes="Trains in seconds on a CPU.",
    ),
    ZooEntry(
        "resnet-small",
        "Small ResNet (ResNet-8)",
        2015,
        N_("CIFAR-style ResNet-8: a 3×3 stem and one basic block at 16, 32 and 64 channels"),
        (3, 32, 32),
        _small("resnet_small"),
        num_classes=10,
        family="resnet-cifar",
        trainable=True,
        options={"num_classes": 10, "in_channels": 3, "width": 16},
        notes="He et al. 2015, section 4.2 (CIFAR-10 nets, 6n+2 layers, parameter-free shortcuts).",
    ),
    ZooEntry(
        "plain-deep",
        "Plain-20",
        2015,
        N_("20 layers of 3×3 convolutions without shortcuts: the degradation problem's plain net"),
        (3, 32, 32),
        _small("plain_deep"),
        num_classes=10,
        family="resnet-cifar",
        trainable=True,
        options={"depth": 20, "num_classes": 10, "in_channels": 3, "width": 16},
        notes="Train it beside residual-deep: with the same parameters, the plain net trains worse "
        "as it gets deeper (He et al. 2015, Figure 6).",
    ),
    ZooEntry(
        "residual-deep",
        "ResNet-20",
        2015,
        N_("the residual twin of plain-deep: the same 20 layers with identity shortcuts"),
        (3, 32, 32),
        _small("residual_deep"),
        num_classes=10,
        family="resnet-cifar",
        trainable=True,
        options={"depth": 20, "num_classes": 10, "in_channels": 3, "width": 16},
        notes="Shortcuts subsample and zero-pad where the size changes, so they add no parameters.",
    ),
]

ENTRIES: dict[str, ZooEntry] = {entry.name: entry for entry in _ALL}


def description_of(entry: ZooEntry) -> str:
    """`entry.description` in the current language (the English text when it has no translation)."""
    if entry.name in _TEMPLATES:
        template, values = _TEMPLATES[entry.name]
        return _(template).format(**values)
    return _(entry.description)
