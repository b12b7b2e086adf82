"""The `{{ ... }}` template language: every function, every filter, and errors with line numbers.

Model figures are checked against torchvision's published metadata (num_params and "GFLOPS", which
counts multiply-accumulates), so a lesson that says `{{ params vgg16 }}` says what PyTorch says.
"""

from __future__ import annotations

import tomllib
from fractions import Fraction

import numpy as np
import pytest

from cnntui.facts import Fact, FactsError, load_facts, parse_facts
from cnntui.lesson_template import (
    LayerRow,
    ModelTrace,
    Renderer,
    TemplateError,
    format_number,
    render,
)


def tiny_model(name: str) -> ModelTrace:
    """A hand-made trace: conv 1→4 (3×3) on 8×8, 2×2 pool, flatten, FC 36→10."""
    if name != "tiny":
        raise KeyError(name)
    rows = [
        LayerRow("", "other", False, (1, 8, 8), (10,), 410, 410, 1656),
        LayerRow("features", "other", False, (1, 8, 8), (4, 3, 3), 40, 40, 1296),
        LayerRow("features.0", "conv", True, (1, 8, 8), (4, 6, 6), 40, 40, 1296),
        LayerRow("features.1", "pool", True, (4, 6, 6), (4, 3, 3), 0, 0, 0),
        LayerRow("flatten", "other", True, (4, 3, 3), (36,), 0, 0, 0),
        LayerRow("fc", "fc", True, (36,), (10,), 370, 360, 360),
    ]
    return ModelTrace("tiny", (1, 8, 8), (10,), rows)


FACTS = {
    "demo.top5": Fact("demo.top5", 15.3, "a paper", unit="%", label="2012 demo"),
    "demo.other": Fact("demo.other", 28.2, "a paper", unit="%", label="2010 other"),
    "demo.count": Fact("demo.count", 14197122, "a web page"),
    "demo.year": Fact("demo.year", 2009, "a paper", unit="year"),
    "demo.name": Fact("demo.name", "SuperVision", "a results page"),
}


@pytest.fixture
def renderer() -> Renderer:
    return Renderer(models=tiny_model, facts=FACTS, images=lambda name: np.eye(4))


def out(renderer: Renderer, text: str) -> str:
    return renderer.render(text)


# -- models -------------------------------------------------------------------------------------


def test_params_total_layer_kind_and_nth(renderer: Renderer) -> None:
    assert out(renderer, "{{ params tiny }}") == "410"
    assert out(renderer, "{{ params tiny fc }}") == "370"
    assert out(renderer, "{{ params tiny features }}") == "40"
    assert out(renderer, "{{ params tiny conv1 }}") == "40"
    assert out(renderer, "{{ trainable tiny fc }}") == "360"
    assert out(renderer, "{{ trainable tiny }}") == "400"


def test_share_count_and_macs(renderer: Renderer) -> None:
    assert out(renderer, "{{ share tiny fc }}") == "90.2%"
    assert out(renderer, "{{ share tiny fc | percent 2 | raw }}") == "90.24"
    assert out(renderer, "{{ count tiny conv }}") == "1"
    assert out(renderer, "{{ macs tiny }}") == "1,656"
    assert out(renderer, "{{ macs tiny conv }}") == "1,296"


def test_shape_and_shape_filters(renderer: Renderer) -> None:
    assert out(renderer, "{{ shape tiny conv1 }}") == "6×6×4"
    assert out(renderer, "{{ shape tiny input }}") == "8×8×1"
    assert out(renderer, "{{ shape tiny output }}") == "10"
    assert out(renderer, "{{ shape tiny flatten }}") == "36"
    assert out(renderer, "{{ shape tiny pool1 | chw }}") == "4×3×3"
    assert out(renderer, "{{ shape tiny pool1 | hw }}") == "3×3"
    assert out(renderer, "{{ shape tiny pool1 | c }}") == "4"
    assert out(renderer, "{{ shape tiny pool1 | numel }}") == "36"
    assert out(renderer, "{{ shape tiny conv1 | positions }}") == "36"
    assert out(renderer, "{{ shape tiny input | w | raw }}") == "8"


def test_layers_table(renderer: Renderer) -> None:
    table = out(renderer, "{{ layers tiny conv1 pool1 fc }}").splitlines()
    assert table[0] == "| layer | output | params | MACs |"
    assert table[2] == "| input | 8×8×1 | | |"
    assert table[3] == "| conv1 | 6×6×4 | 40 | 1,296 |"
    assert table[-1] == "| fc | 10 | 370 | 360 |"


def test_model_traces_are_cached() -> None:
    calls: list[str] = []

    def counting(name: str) -> ModelTrace:
        calls.append(name)
        return tiny_model(name)

    renderer = Renderer(models=counting, facts=FACTS)
    renderer.render("{{ params tiny }} {{ shape tiny conv1 }} {{ macs tiny }}")
    renderer.render("{{ params tiny fc }}")
    assert calls == ["tiny"]


def test_render_of_a_lesson_body_is_cached() -> None:
    render.cache_clear()
    render("{{ outsize 227 11 0 4 }}")
    render("{{ outsize 227 11 0 4 }}")
    assert render.cache_info().hits == 1


# -- arithmetic ---------------------------------------------------------------------------------


def test_outsize_matches_the_worked_cases(renderer: Renderer) -> None:
    assert out(renderer, "{{ outsize 227 11 0 4 }}") == "55"
    assert out(renderer, "{{ outsize 5 3 1 2 }} {{ outsize 6 3 1 2 }}") == "3 3"
    assert out(renderer, "{{ outsize 7 3 0 1 2 }}") == "3"


def test_calc_is_exact(renderer: Renderer) -> None:
    assert out(renderer, "{{ calc (7*7 + 1) * 64 }}") == "3,200"
    assert out(renderer, "{{ calc 28*28*32*5*5*192 }}") == "120,422,400"
    assert out(renderer, "{{ calc 2 ** 1024 | digits }}") == "309"
    assert out(renderer, "{{ calc 2 ** 1024 | sci }}") == "1.80 × 10^308"
    assert out(renderer, "{{ calc 49/27 | fixed 2 }}") == "1.81"
    assert out(renderer, "{{ calc 1/3 }}") == "0.33"
    assert out(renderer, "{{ calc 1 - 18/25 | pct 0 }}") == "28%"
    assert out(renderer, "{{ calc 0.1 + 0.2 | raw }}") == "0.3"  # exact, not 0.30000000000000004
    assert out(renderer, "{{ calc params(tiny) / params(tiny, fc) | fixed 3 }}") == "1.108"
    assert out(renderer, '{{ calc fact("demo.top5") * 2 }}') == "30.6"
    assert out(renderer, "{{ calc outsize(224, 11, 0, 4) }}") == "54"
    assert out(renderer, "{{ let q = 6 }}{{ calc q * 7 }}") == "42"


def test_number_filters(renderer: Renderer) -> None:
    assert out(renderer, "{{ fact demo.count | million 0 }}") == "14"
    assert out(renderer, "{{ fact demo.count | million 2 }}") == "14.2"
    assert out(renderer, "{{ calc 15470264320 | billion 1 }}") == "15.5"
    assert out(renderer, "{{ fact demo.count | thousand 0 }}") == "14,197"
    assert out(renderer, "{{ fact demo.count | round -3 }}") == "14,197,000"
    assert out(renderer, "{{ calc 2.5 | times 1 }}") == "2.5×"
    assert out(renderer, "{{ calc 138357544 | raw }}") == "138357544"


def test_format_number() -> None:
    assert format_number(61706) == "61,706"
    assert format_number(Fraction(1, 4)) == "0.25"
    assert format_number(Fraction(5, 1)) == "5"
    assert format_number(3.57) == "3.57"
    assert format_number(Fraction(2, 3), 3) == "0.667"


# -- facts --------------------------------------------------------------------------------------


def test_fact_display_and_raw(renderer: Renderer) -> None:
    assert out(renderer, "{{ fact demo.top5 }}") == "15.3%"
    assert out(renderer, "{{ fact demo.top5 | raw }}") == "15.3"
    assert out(renderer, "{{ fact demo.count }}") == "14,197,122"
    assert out(renderer, "{{ fact demo.year }}") == "2009"
    assert out(renderer, "{{ fact demo.name }}") == "SuperVision"


def test_bars_are_ascii_and_proportional(renderer: Renderer) -> None:
    chart = out(renderer, "{{ bars demo.other demo.top5 }}").splitlines()
    assert chart[0].startswith("2010 other |" + "#" * 20 + " 28.2%")
    assert chart[1].count("#") == round(15.3 / 28.2 * 20)
    assert all(line.isascii() or "%" in line for line in chart)


def test_bundled_facts_all_have_sources() -> None:
    facts = load_facts()
    assert facts["ilsvrc.2012.top5"].display() == "15.3%"
    assert facts["imagenet.images"].value == 14197122
    assert facts["imagenet.synsets"].value == 21841
    assert facts["lenet5.paper_params"].value == 60000
    assert all(f.source for f in facts.values())


def test_the_issue_figures_are_in_the_facts_file() -> None:
    facts = load_facts()
    expected = {
        "ilsvrc.2010.top5": 28.2, "ilsvrc.2011.top5": 25.8, "ilsvrc.2012.top5": 15.3,
        "ilsvrc.2012.runner_up_top5": 26.2, "ilsvrc.2013.top5": 11.7, "ilsvrc.2014.top5": 6.7,
        "ilsvrc.2014.vgg_top5": 7.3, "ilsvrc.2015.top5": 3.57, "ilsvrc.2016.top5": 2.99,
        "ilsvrc.2017.top5": 2.25, "ilsvrc.human.top5": 5.1, "ilsvrc.classes": 1000,
        "ilsvrc.val_images": 50000, "ilsvrc.test_images": 100000, "resnet.cifar_deepest": 1202,
        "resnet.cifar_best_depth": 110, "googlenet.depth": 22, "googlenet.inception_modules": 9,
    }  # fmt: skip
    for key, value in expected.items():
        assert facts[key].value == value, key


def test_a_fact_without_a_source_is_refused() -> None:
    with pytest.raises(FactsError, match="demo.x"):
        parse_facts(tomllib.loads("[demo.x]\nvalue = 3\n"))
    with pytest.raises(FactsError, match="unknown field"):
        parse_facts(tomllib.loads('[demo.x]\nvalue = 3\nsource = "s"\nsauce = 1\n'))


# -- worked examples ----------------------------------------------------------------------------


def test_correlate_matches_numpy(renderer: Renderer) -> None:
    rng = np.random.default_rng(0)
    image = rng.integers(-3, 4, size=(5, 6))
    kernel = rng.integers(-2, 3, size=(3, 3))

    def as_let(name, a):
        return f"{{{{ let {name} = {' ; '.join(' '.join(str(v) for v in row) for row in a)} }}}}"

    text = as_let("x", image) + as_let("k", kernel) + "{{ correlate x k }}"
    expected = np.array(
        [[(image[i : i + 3, j : j + 3] * kernel).sum() for j in range(4)] for i in range(3)]
    )
    got = np.array([[int(v) for v in line.split()] for line in out(renderer, text).splitlines()])
    assert (got == expected).all()
    flipped = out(renderer, text.replace("correlate x k", "correlate x k flip"))
    expected_conv = np.array(
        [
            [(image[i : i + 3, j : j + 3] * kernel[::-1, ::-1]).sum() for j in range(4)]
            for i in range(3)
        ]
    )
    assert (
        np.array([[int(v) for v in ln.split()] for ln in flipped.splitlines()]) == expected_conv
    ).all()


def test_correlate_with_channels_padding_stride_bias_relu(renderer: Renderer) -> None:
    text = (
        "{{ let r = 1 2 ; 3 4 }}{{ let g = 0 1 ; 1 0 }}{{ let kr = 1 }}{{ let kg = 2 }}"
        "{{ let a = 1 0 ; 0 1 }}{{ let one = 1 1 ; 1 1 }}"
        "{{ correlate a one pad 1 stride 2 bias -1 relu }}"
    )
    assert out(renderer, text).split() == ["0", "0", "0", "0"]
    window = out(
        renderer, "{{ let x = 1 2 ; 3 4 }}{{ let k = 1 0 ; 0 -1 }}{{ window x k 1 1 bias 2 }}"
    )
    assert window.splitlines() == [
        "  1·1 + 2·0",
        "+ 3·0 + 4·(-1)",
        "= -3",
        "total: (-3) + 2 (bias) = -1",
    ]
    rgb = out(renderer, "{{ let a = 1 2 ; 3 4 }}{{ let b = 1 1 ; 1 1 }}{{ window a,b a,b 1 1 }}")
    assert rgb.splitlines()[0] == "channel 1:"
    assert rgb.splitlines()[-1] == "total: 30 + 4 = 34"
    one_row = out(renderer, "{{ let s = 1 3 2 }}{{ let e = -1 0 1 }}{{ window s e 1 1 }}")
    assert one_row == "1·(-1) + 3·0 + 2·1 = 1"


def test_pool_shift_pad_changed_and_matrix(renderer: Renderer) -> None:
    base = "{{ let f = 9 1 0 0 ; 2 0 6 0 ; 0 0 8 1 ; 7 0 0 0 }}{{ let m = shift f 1 }}"
    assert out(renderer, base + "{{ pool f max 2 }}") == "9 6\n7 8"
    assert out(renderer, base + "{{ pool m max 2 }}") == "9 6\n7 8"
    assert out(renderer, base + "{{ pool f avg 2 }}").split() == ["3", "1.5", "1.75", "2.25"]
    assert out(renderer, base + "{{ changed f m }}") == "68.8%"
    assert (
        out(renderer, "{{ let t = 1 2 ; 3 4 }}{{ padded t 1 replicate }}").splitlines()[0]
        == "1 1 2 2"
    )
    assert out(renderer, "{{ let t = 1 2 ; 3 4 }}{{ padded t 1 }}").splitlines()[0] == "0 0 0 0"
    assert out(renderer, "{{ let t = 1 2 ; 3 4 }}{{ matrix t,t }}") == "1 2   1 2\n3 4   3 4"


def test_kernel_presets_come_from_the_conv_lab(renderer: Renderer) -> None:
    assert out(renderer, "{{ kernel laplacian }}") == " 0  1  0\n 1 -4  1\n 0  1  0"
    assert out(renderer, "{{ kernel gaussian }}") == "1 2 1\n2 4 2\n1 2 1"


def test_shiftshare_counts_changed_pixels(renderer: Renderer) -> None:
    # The identity image moved one pixel right: every diagonal one moves off its place (4 of
    # 16 lose their one, 3 others gain one).
    assert out(renderer, "{{ shiftshare eye 1 }}") == "43.8%"


def test_generative_example_tables_and_sampling(renderer: Renderer) -> None:
    data = "{{ let d = 00:1 00:1 01:1 01:0 01:1 10:0 11:0 11:0 11:0 11:1 }}"
    joint = out(renderer, data + "{{ ptable joint d }}").splitlines()
    assert joint[2:] == [
        "| (0,0) | 0 | 0.2 |",
        "| (0,1) | 0.1 | 0.2 |",
        "| (1,0) | 0.1 | 0 |",
        "| (1,1) | 0.3 | 0.1 |",
    ]
    given = out(renderer, data + "{{ ptable y_given_x d }}")
    assert "| (0,1) | 1/3 ≈ 0.33 | 2/3 ≈ 0.67 |" in given
    assert out(renderer, data + "{{ sample d 0.34 }} {{ sample d 0.83 }}") == "(0,1) (1,1)"
    assert out(renderer, data + "{{ predict d 11 }} {{ predict d 01 }}") == "0 1"
    assert (
        out(renderer, data + "{{ prob d x 11 | raw }} {{ prob d y_given_x 11 0 | raw }}")
        == "0.4 0.75"
    )
    assert out(renderer, data + "{{ prob d x_given_y 11 0 }}") == "0.6"


# -- code blocks are ASCII ----------------------------------------------------------------------


def test_expressions_inside_code_blocks_are_ascii(renderer: Renderer) -> None:
    text = "{{ shape tiny conv1 }}\n```\n{{ shape tiny conv1 }} {{ calc 2**64 | sci }}\n```\n"
    first, fence, inside, *_ = out(renderer, text).splitlines()
    assert first == "6×6×4"
    assert inside == "6x6x4 1.84 x 10^19"


def test_multi_line_results_keep_the_indentation_of_their_line(renderer: Renderer) -> None:
    text = "- a list item:\n\n  ```\n  {{ let t = 1 2 ; 3 4 }}{{ matrix t }}\n  ```\n"
    assert out(renderer, text).splitlines()[3:5] == ["  1 2", "  3 4"]


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("a\n\n{{ params vgg17 }}", 3, "unknown model 'vgg17'"),
        ("{{ shape tiny conv9 }}", 1, "1 conv layer(s); 'conv9'"),
        ("x\n{{ shape tiny nolayer }}", 2, "no layer 'nolayer'"),
        ("\n{{ fact nope.x }}", 2, "unknown fact 'nope.x'"),
        ("{{ calc __import__('os') }}", 1, "unknown call __import__()"),
        ("{{ calc (1).__class__ }}", 1, "only numbers"),
        ("{{ calc 2**99999 }}", 1, "exponents"),
        ("{{ calc 1/0 }}", 1, "division by zero"),
        ("{{ frobnicate }}", 1, "unknown function 'frobnicate'"),
        ("{{ params tiny | zz }}", 1, "unknown filter 'zz'"),
        ("ok\nok\n{{ params tiny", 3, "without a matching"),
        ("{{ outsize 3 5 0 1 }}", 1, "larger than the padded input"),
        ("{{ ptable joint nodata }}", 1, "'nodata' is not a data set"),
        ("{{ layers tiny }}", 1, "usage"),
        ("{{ }}", 1, "empty expression"),
    ],
)
def test_errors_name_the_line_and_the_reason(
    renderer: Renderer, text: str, line: int, words: str
) -> None:
    with pytest.raises(TemplateError) as caught:
        renderer.render(text)
    assert caught.value.line == line
    assert words in str(caught.value)
    assert str(caught.value).startswith(f"line {line}: ")


def test_first_line_offsets_the_reported_line(renderer: Renderer) -> None:
    with pytest.raises(TemplateError) as caught:
        renderer.render("\n{{ fact nope.x }}", first_line=10)
    assert caught.value.line == 11


# -- the real zoo, against torchvision's published figures --------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("{{ params lenet5 }}", "61,706"),
        ("{{ trainable lenet5-1998 }}", "60,000"),
        ("{{ params alexnet }}", "60,965,224"),
        ("{{ params alexnet-ungrouped }}", "62,378,344"),
        ("{{ params alexnet-torchvision }}", "61,100,840"),
        ("{{ params vgg16 }}", "138,357,544"),
        ("{{ params vgg16 fc }}", "123,642,856"),
        ("{{ params vgg16 conv }}", "14,714,688"),
        ("{{ params vgg19 }}", "143,667,240"),
        ("{{ params googlenet }}", "6,624,904"),
        ("{{ params resnet18 }}", "11,689,512"),
        ("{{ params resnet50 }}", "25,557,032"),
        ("{{ params resnet152 }}", "60,192,808"),
        ("{{ params dcgan-generator }}", "3,576,704"),
        ("{{ params dcgan-discriminator }}", "2,765,568"),
        ("{{ macs vgg16 }}", "15,470,264,320"),
        ("{{ macs resnet50 | billion 3 }}", "4.089"),
        ("{{ macs lenet5 }}", "416,520"),
        ("{{ shape alexnet conv1 }}", "55×55×96"),
        ("{{ shape alexnet conv2 }}", "27×27×256"),
        ("{{ shape alexnet pool5 | numel }}", "9,216"),
        ("{{ shape vgg16 pool5 }}", "7×7×512"),
        ("{{ shape lenet5 c3 }}", "10×10×16"),
        ("{{ shape dcgan-generator output }}", "64×64×3"),
        ("{{ share vgg16 fc }}", "89.4%"),
    ],
)
def test_zoo_figures_match_torchvision(expression: str, expected: str) -> None:
    assert render(expression) == expected


def test_connection_table_of_lenet5_c3() -> None:
    table = render("{{ connections lenet5-1998 c3 }}").splitlines()
    assert table[1].split() == ["0", "1", "2", "3", "4", "5"]
    assert table[2].split() == ["0", "X", "X", "X", ".", ".", "."]
    assert table[-1].split() == ["15", "X", "X", "X", "X", "X", "X"]
    assert sum(line.count("X") for line in table) == 60  # the paper's 60 links
    with pytest.raises(TemplateError, match="no connection table"):
        render("{{ connections lenet5 c3 }}")


def test_unknown_zoo_model_lists_the_known_ones() -> None:
    with pytest.raises(TemplateError, match="known models: lenet5"):
        render("{{ params vgg17 }}")
