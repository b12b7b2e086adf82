"""Every zoo entry against an independent PyTorch build of the same architecture.

The reference modules are written here in plain `torch.nn` following torchvision's and the
papers' layouts, built on the meta device (no memory), and compared on: parameter names and
shapes (so state dicts line up), total parameters, output shape, and multiply-accumulates counted
by forward hooks (convolutions, transposed convolutions, linear layers).
"""

from __future__ import annotations

from collections import OrderedDict

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

from cnntui import zoo  # noqa: E402
from cnntui.zoo.summary import summarize  # noqa: E402

# -- reference architectures in plain torch.nn ---------------------------------------------------


def t_lenet5(padding: int = 0) -> nn.Module:
    return nn.Sequential(
        OrderedDict(
            c1=nn.Conv2d(1, 6, 5, padding=padding),
            relu1=nn.ReLU(),
            s2=nn.MaxPool2d(2),
            c3=nn.Conv2d(6, 16, 5),
            relu3=nn.ReLU(),
            s4=nn.MaxPool2d(2),
            flatten=nn.Flatten(),
            c5=nn.Linear(400, 120),
            relu5=nn.ReLU(),
            f6=nn.Linear(120, 84),
            relu6=nn.ReLU(),
            output=nn.Linear(84, 10),
        )
    )


def t_alexnet(groups: int) -> nn.Module:
    return nn.Sequential(
        OrderedDict(
            conv1=nn.Conv2d(3, 96, 11, 4),
            relu1=nn.ReLU(),
            norm1=nn.LocalResponseNorm(5, 1e-4, 0.75, 2.0),
            pool1=nn.MaxPool2d(3, 2),
            conv2=nn.Conv2d(96, 256, 5, padding=2, groups=groups),
            relu2=nn.ReLU(),
            norm2=nn.LocalResponseNorm(5, 1e-4, 0.75, 2.0),
            pool2=nn.MaxPool2d(3, 2),
            conv3=nn.Conv2d(256, 384, 3, padding=1),
            relu3=nn.ReLU(),
            conv4=nn.Conv2d(384, 384, 3, padding=1, groups=groups),
            relu4=nn.ReLU(),
            conv5=nn.Conv2d(384, 256, 3, padding=1, groups=groups),
            relu5=nn.ReLU(),
            pool5=nn.MaxPool2d(3, 2),
            flatten=nn.Flatten(),
            fc6=nn.Linear(9216, 4096),
            relu6=nn.ReLU(),
            drop6=nn.Dropout(),
            fc7=nn.Linear(4096, 4096),
            relu7=nn.ReLU(),
            drop7=nn.Dropout(),
            fc8=nn.Linear(4096, 1000),
        )
    )


class TAlexNetTV(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, 11, 4, 2),
            nn.ReLU(),
            nn.MaxPool2d(3, 2),
            nn.Conv2d(64, 192, 5, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(3, 2),
            nn.Conv2d(192, 384, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(384, 256, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(256, 256, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(3, 2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(),
            nn.Linear(9216, 4096),
            nn.ReLU(),
            nn.Dropout(),
            nn.Linear(4096, 4096),
            nn.ReLU(),
            nn.Linear(4096, 1000),
        )

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


VGG_CFG = {
    11: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    13: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    16: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    19: [
        64,
        64,
        "M",
        128,
        128,
        "M",
        256,
        256,
        256,
        256,
        "M",
        512,
        512,
        512,
        512,
        "M",
        512,
        512,
        512,
        512,
        "M",
    ],
}


class TVGG(nn.Module):
    def __init__(self, depth: int, bn: bool) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        c = 3
        for v in VGG_CFG[depth]:
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers.append(nn.Conv2d(c, v, 3, padding=1))
                if bn:
                    layers.append(nn.BatchNorm2d(v))
                layers.append(nn.ReLU())
                c = v
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(25088, 4096),
            nn.ReLU(),
            nn.Dropout(),
            nn.Linear(4096, 4096),
            nn.ReLU(),
            nn.Dropout(),
            nn.Linear(4096, 1000),
        )

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


def t_nin() -> nn.Module:
    def block(cin, cout, k, s, p, n):
        conv = n // 2 + 1
        return nn.Sequential(
            OrderedDict(
                {
                    f"conv{conv}": nn.Conv2d(cin, cout, k, s, p),
                    f"relu{conv}": nn.ReLU(),
                    f"cccp{n}": nn.Conv2d(cout, cout, 1),
                    f"relu_cccp{n}": nn.ReLU(),
                    f"cccp{n + 1}": nn.Conv2d(cout, cout, 1),
                    f"relu_cccp{n + 1}": nn.ReLU(),
                }
            )
        )

    return nn.Sequential(
        OrderedDict(
            block1=block(3, 96, 11, 4, 0, 1),
            pool1=nn.MaxPool2d(3, 2),
            block2=block(96, 256, 5, 1, 2, 3),
            pool2=nn.MaxPool2d(3, 2),
            block3=block(256, 384, 3, 1, 1, 5),
            pool3=nn.MaxPool2d(3, 2),
            drop=nn.Dropout(),
            block4=block(384, 1000, 3, 1, 1, 7),
            gap=nn.AdaptiveAvgPool2d(1),
            flatten=nn.Flatten(),
        )
    )


class BasicConv2d(nn.Module):
    def __init__(self, cin, cout, **kw):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, bias=False, **kw)
        self.bn = nn.BatchNorm2d(cout, eps=0.001)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class TInception(nn.Module):
    def __init__(self, cin, c1, c3r, c3, c5r, c5, pp):
        super().__init__()
        self.branch1 = BasicConv2d(cin, c1, kernel_size=1)
        self.branch2 = nn.Sequential(
            BasicConv2d(cin, c3r, kernel_size=1), BasicConv2d(c3r, c3, kernel_size=3, padding=1)
        )
        self.branch3 = nn.Sequential(
            BasicConv2d(cin, c5r, kernel_size=1), BasicConv2d(c5r, c5, kernel_size=3, padding=1)
        )
        self.branch4 = nn.Sequential(
            nn.MaxPool2d(3, 1, 1, ceil_mode=True), BasicConv2d(cin, pp, kernel_size=1)
        )

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class TInceptionAux(nn.Module):
    def __init__(self, cin, classes):
        super().__init__()
        self.conv = BasicConv2d(cin, 128, kernel_size=1)
        self.fc1 = nn.Linear(2048, 1024)
        self.fc2 = nn.Linear(1024, classes)

    def forward(self, x):
        x = torch.flatten(self.conv(F.adaptive_avg_pool2d(x, (4, 4))), 1)
        return self.fc2(F.relu(self.fc1(x)))


class TGoogLeNet(nn.Module):
    def __init__(self, aux: bool = False):
        super().__init__()
        self.aux = aux
        self.conv1 = BasicConv2d(3, 64, kernel_size=7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = BasicConv2d(64, 64, kernel_size=1)
        self.conv3 = BasicConv2d(64, 192, kernel_size=3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception3a = TInception(192, 64, 96, 128, 16, 32, 32)
        self.inception3b = TInception(256, 128, 128, 192, 32, 96, 64)
        self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception4a = TInception(480, 192, 96, 208, 16, 48, 64)
        self.inception4b = TInception(512, 160, 112, 224, 24, 64, 64)
        self.inception4c = TInception(512, 128, 128, 256, 24, 64, 64)
        self.inception4d = TInception(512, 112, 144, 288, 32, 64, 64)
        self.inception4e = TInception(528, 256, 160, 320, 32, 128, 128)
        self.maxpool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)
        self.inception5a = TInception(832, 256, 160, 320, 32, 128, 128)
        self.inception5b = TInception(832, 384, 192, 384, 48, 128, 128)
        if aux:
            self.aux1 = TInceptionAux(512, 1000)
            self.aux2 = TInceptionAux(528, 1000)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(1024, 1000)

    def forward(self, x):
        x = self.maxpool1(self.conv1(x))
        x = self.maxpool2(self.conv3(self.conv2(x)))
        x = self.maxpool3(self.inception3b(self.inception3a(x)))
        x = self.inception4a(x)
        if self.aux:
            self.aux1(x)
        x = self.inception4d(self.inception4c(self.inception4b(x)))
        if self.aux:
            self.aux2(x)
        x = self.maxpool4(self.inception4e(x))
        x = self.inception5b(self.inception5a(x))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class TBasic(nn.Module):
    expansion = 1

    def __init__(self, cin, planes, stride=1, down=None):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = down

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + (self.downsample(x) if self.downsample is not None else x))


class TBottle(nn.Module):
    expansion = 4

    def __init__(self, cin, planes, stride=1, down=None):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.downsample = down

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return F.relu(y + (self.downsample(x) if self.downsample is not None else x))


class TResNet(nn.Module):
    LAYOUT = {
        18: (TBasic, [2, 2, 2, 2]),
        34: (TBasic, [3, 4, 6, 3]),
        50: (TBottle, [3, 4, 6, 3]),
        101: (TBottle, [3, 4, 23, 3]),
        152: (TBottle, [3, 8, 36, 3]),
    }

    def __init__(self, depth):
        super().__init__()
        block, counts = self.LAYOUT[depth]
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        cin = 64
        for i, (planes, n) in enumerate(zip((64, 128, 256, 512), counts)):
            stride = 1 if i == 0 else 2
            down = None
            if stride != 1 or cin != planes * block.expansion:
                down = nn.Sequential(
                    nn.Conv2d(cin, planes * block.expansion, 1, stride, bias=False),
                    nn.BatchNorm2d(planes * block.expansion),
                )
            blocks = [block(cin, planes, stride, down)]
            cin = planes * block.expansion
            blocks += [block(cin, planes) for _ in range(1, n)]
            setattr(self, f"layer{i + 1}", nn.Sequential(*blocks))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, 1000)

    def forward(self, x):
        x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        for i in range(1, 5):
            x = getattr(self, f"layer{i}")(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


class TDCGAN_G(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(100, 512, 4, 1, 0, bias=False),
            nn.BatchNorm2d(512),
            nn.ReLU(True),
            nn.ConvTranspose2d(512, 256, 4, 2, 1, bias=False),
            nn.BatchNorm2d(256),
            nn.ReLU(True),
            nn.ConvTranspose2d(256, 128, 4, 2, 1, bias=False),
            nn.BatchNorm2d(128),
            nn.ReLU(True),
            nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False),
            nn.BatchNorm2d(64),
            nn.ReLU(True),
            nn.ConvTranspose2d(64, 3, 4, 2, 1, bias=False),
            nn.Tanh(),
        )

    def forward(self, x):
        return self.main(x)


class TDCGAN_D(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(3, 64, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(64, 128, 4, 2, 1, bias=False),
            nn.BatchNorm2d(128),
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(128, 256, 4, 2, 1, bias=False),
            nn.BatchNorm2d(256),
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(256, 512, 4, 2, 1, bias=False),
            nn.BatchNorm2d(512),
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(512, 1, 4, 1, 0, bias=False),
            nn.Sigmoid(),
        )

    def forward(self, x):
        return self.main(x)


def t_tinyvgg() -> nn.Module:
    return nn.Sequential(
        OrderedDict(
            conv_1_1=nn.Conv2d(3, 10, 3),
            relu_1_1=nn.ReLU(),
            conv_1_2=nn.Conv2d(10, 10, 3),
            relu_1_2=nn.ReLU(),
            max_pool_1=nn.MaxPool2d(2),
            conv_2_1=nn.Conv2d(10, 10, 3),
            relu_2_1=nn.ReLU(),
            conv_2_2=nn.Conv2d(10, 10, 3),
            relu_2_2=nn.ReLU(),
            max_pool_2=nn.MaxPool2d(2),
            flatten=nn.Flatten(),
            output=nn.Linear(1690, 10),
        )
    )


REFERENCES = {
    "lenet5": (lambda: t_lenet5(0), (1, 32, 32)),
    "lenet5-28": (lambda: t_lenet5(2), (1, 28, 28)),
    "alexnet": (lambda: t_alexnet(2), (3, 227, 227)),
    "alexnet-ungrouped": (lambda: t_alexnet(1), (3, 227, 227)),
    "alexnet-torchvision": (TAlexNetTV, (3, 224, 224)),
    **{f"vgg{d}": ((lambda d=d: TVGG(d, False)), (3, 224, 224)) for d in VGG_CFG},
    **{f"vgg{d}_bn": ((lambda d=d: TVGG(d, True)), (3, 224, 224)) for d in VGG_CFG},
    "nin": (t_nin, (3, 224, 224)),
    "googlenet": (TGoogLeNet, (3, 224, 224)),
    **{f"resnet{d}": ((lambda d=d: TResNet(d)), (3, 224, 224)) for d in TResNet.LAYOUT},
    "dcgan-generator": (TDCGAN_G, (100, 1, 1)),
    "dcgan-discriminator": (TDCGAN_D, (3, 64, 64)),
    "tinyvgg": (t_tinyvgg, (3, 64, 64)),
}


def torch_facts(make, input_shape):
    """(parameter shapes by name, total params, output shape, MACs) of a torch module on meta."""
    with torch.device("meta"):
        model = make()
    macs = 0

    def hook(module, inputs, output):
        nonlocal macs
        if isinstance(module, nn.Conv2d):
            k = module.kernel_size[0] * module.kernel_size[1]
            macs += output.numel() * (module.in_channels // module.groups) * k
        elif isinstance(module, nn.ConvTranspose2d):
            k = module.kernel_size[0] * module.kernel_size[1]
            macs += inputs[0].numel() * (module.out_channels // module.groups) * k
        elif isinstance(module, nn.Linear):
            macs += module.in_features * module.out_features

    for m in model.modules():
        m.register_forward_hook(hook)
    model.eval()
    with torch.no_grad():
        out = model(torch.empty((1, *input_shape), device="meta"))
    shapes = {k: tuple(p.shape) for k, p in model.named_parameters()}
    total = sum(p.numel() for p in model.parameters())
    return shapes, total, tuple(out.shape[1:]), macs


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_zoo_entry_matches_torch(name: str) -> None:
    make, shape = REFERENCES[name]
    entry = zoo.get(name)
    assert entry.input_shape == shape
    ref_shapes, ref_total, ref_out, ref_macs = torch_facts(make, shape)
    model = entry.build()
    ours = {k: p.shape for k, p in model.named_parameters()}
    assert ours == ref_shapes
    s = summarize(model, shape, name=name)
    assert s.total_params == ref_total
    assert s.output_shape == ref_out
    assert s.total_macs == ref_macs


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        ("alexnet-torchvision", (3, 320, 256)),
        ("vgg11", (3, 64, 96)),
        ("resnet18", (3, 100, 120)),
        ("googlenet", (3, 160, 160)),
        ("resnet50", (3, 33, 47)),
    ],
)
def test_other_input_sizes_match_torch(name: str, shape: tuple[int, int, int]) -> None:
    make = REFERENCES[name][0]
    _, ref_total, ref_out, ref_macs = torch_facts(make, shape)
    s = summarize(zoo.build(name), shape)
    assert (s.total_params, s.output_shape, s.total_macs) == (ref_total, ref_out, ref_macs)


def test_googlenet_aux_heads_match_torch() -> None:
    ref_shapes, ref_total, ref_out, ref_macs = torch_facts(
        lambda: TGoogLeNet(aux=True), (3, 224, 224)
    )
    model = zoo.build("googlenet", aux_logits=True)
    assert {k: p.shape for k, p in model.named_parameters()} == ref_shapes
    s = summarize(model, (3, 224, 224))
    assert (s.total_params, s.output_shape, s.total_macs) == (ref_total, ref_out, ref_macs)
    assert s.layer("aux1.fc2").output_shape == (1000,)
    assert s.layer("inception4b").input_shape == (512, 14, 14)
