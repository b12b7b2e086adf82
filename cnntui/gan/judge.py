"""Judge a DCGAN trained on digits with a LeNet-5 trained on the real digits.

A sample counts as a confident digit when the classifier gives one class probability ≥ 0.9. The
judgement reports how many samples are confident and over how many classes they spread: a good
generator draws confident digits of (nearly) every class; a collapsed one draws one or two.

    python -m cnntui.gan.judge RUN_DIR [--samples 1000] [--confidence 0.9] [--seed 0]

prints one JSON document: the classifier's test accuracy, the share of confident samples, the
classes covered, and the confident count per class. The classifier is the zoo's LeNet-5 for 8×8
(`lenet5-8`), trained here with the engine (Adam, 30 epochs, digits 0–1,437 train / the rest test,
pixels scaled to [−1, 1] like the generator's output).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import numpy as np

TRAIN_COUNT = 1437


def train_digit_classifier(seed: int = 0, epochs: int = 30, batch: int = 64) -> tuple[Any, float]:
    """A LeNet-5 for 8×8 trained on the real digits; returns it (eval mode) and its test accuracy."""
    from cnntui.data.digits import load_digits
    from cnntui.engine import nn, optim
    from cnntui.zoo.lenet import lenet5_small

    data = load_digits()
    images = (data.images * 2.0 - 1.0).astype(np.float32)
    labels = data.labels
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(images))
    train, test = order[:TRAIN_COUNT], order[TRAIN_COUNT:]
    model = lenet5_small()
    for p in model.parameters():
        p.materialize(rng)
    model.needs_input_grad = False
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.Adam(list(model.parameters()), lr=1e-3)
    for _ in range(epochs):
        shuffled = rng.permutation(train)
        for start in range(0, len(shuffled), batch):
            index = shuffled[start : start + batch]
            model.zero_grad()
            loss_fn.forward(model.forward(images[index]), labels[index])
            model.backward(loss_fn.backward())
            optimizer.step()
    model.eval()
    predicted = np.argmax(np.asarray(model.forward(images[test])), axis=1)
    return model, float((predicted == labels[test]).mean())


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def judge(classifier: Any, samples: np.ndarray, confidence: float = 0.9) -> dict[str, Any]:
    """How confidently, and over how many classes, `classifier` recognises `samples` `(N, 1, 8, 8)`."""
    probabilities = softmax(
        np.asarray(classifier.forward(np.asarray(samples, dtype=np.float32)), dtype=np.float64)
    )
    best = probabilities.max(axis=1)
    label = probabilities.argmax(axis=1)
    confident = best >= confidence
    per_class = np.bincount(label[confident], minlength=probabilities.shape[1])
    return {
        "samples": int(len(samples)),
        "confidence": confidence,
        "confident_share": float(confident.mean()),
        "classes_covered": int((per_class > 0).sum()),
        "confident_per_class": per_class.tolist(),
        "mean_top_probability": float(best.mean()),
    }


def generate(run_dir: str, count: int, seed: int) -> np.ndarray:
    """`count` samples `(count, 1, H, W)` from the generator saved in `run_dir`."""
    from cnntui.engine.backend import to_host
    from cnntui.gan.dcgan import DcganRun, DcganSettings

    run = DcganRun(DcganSettings(dataset="digits", epochs=10_000), run_dir, resume=True)
    noise = np.random.default_rng([seed, 99]).standard_normal((count, run.settings.noise_dim, 1, 1))
    return to_host(run.generator.forward(run.xp.asarray(noise.astype(np.float32))))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cnntui.gan.judge", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "run_dir", help="a DCGAN run folder on digits (holds run.json and checkpoint.npz)"
    )
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--confidence", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    from cnntui.engine.backend import set_cpu_threads
    from cnntui.errors import CnnTuiError

    set_cpu_threads(1)  # small convolutions: one BLAS thread is faster on a busy machine
    try:
        samples = generate(args.run_dir, args.samples, args.seed)
    except CnnTuiError as exc:
        print(f"judge: error: {exc}", file=sys.stderr)
        return 2
    classifier, accuracy = train_digit_classifier(args.seed)
    result = {"classifier_test_accuracy": accuracy, **judge(classifier, samples, args.confidence)}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
