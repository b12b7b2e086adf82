"""The GPU benchmark: the GPU tests on real CuPy, then cnntui against PyTorch eager, both models.

    python benchmarks/gpu_benchmark.py [--torch-script ../shared/bench/torch_cnn.py]
        [--torch-python PYTHON] [--batches 32 128 512 2048] [--steps 50] [--skip-tests] [--json]

Run from the repository root on a machine with a CUDA device, CuPy 14 (`pip install
'cnntui[gpu]'`) and a CUDA build of PyTorch. Steps:

1. `pytest tests/test_*gpu*.py`: every GPU test runs on the strict CuPy stand-in and on the real
   device; the script stops if one fails or if the real-device runs were all skipped (no GPU).
2. For each model (`lenet5`, `cifar-cnn`) and batch size, alternating: `cnntui bench --device gpu`
   and the PyTorch reference script with `--device cuda`, best of three runs each.
3. A table of images per second and the ratio cnntui / PyTorch for training and inference.

Both sides compute in strict float32: CuPy's products use TF32 only when `CUPY_TF32=1`, so the
script sets `CUPY_TF32=0`; the reference script turns TF32 off in PyTorch (`allow_tf32 = False`
for cuBLAS and cuDNN) and lets cuDNN pick its fastest algorithms. Targets: at least 1.0× PyTorch
for LeNet-5 at batch 32-128 (launch-bound, where fused kernels win) and at least 0.5× at 2048.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MODELS = ("lenet5", "cifar-cnn")


def say(text: str) -> None:
    """Progress goes to stderr, so that with --json stdout holds exactly one document."""
    print(text, file=sys.stderr, flush=True)


def run_tests(python: str) -> None:
    files = sorted(glob.glob(str(ROOT / "tests" / "test_*gpu*.py")))
    command = [python, "-m", "pytest", "-q", "-rs", *files]
    say("$ " + " ".join(command))
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    say(done.stdout[-3000:] + done.stderr[-2000:])
    if done.returncode != 0:
        sys.exit("the GPU tests failed: fix them before timing anything")
    if "no CUDA device here" in done.stdout:  # the skip reason of the real-device runs
        sys.exit("the real-device runs were skipped: CuPy finds no working GPU here")


def one_json(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    document: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return document


def measure(args: argparse.Namespace) -> list[dict[str, Any]]:
    env = {**os.environ, "CUPY_TF32": "0", "PYTHONPATH": str(ROOT)}
    rows = []
    for model in args.models:
        for batch in args.batches:
            ours = ["--model", model, "--batch", str(batch), "--steps", str(args.steps)]
            cnntui = [sys.executable, "-m", "cnntui", "bench", "--device", "gpu", *ours, "--json"]
            torch = [
                args.torch_python, args.torch_script, "--device", "cuda", *ours, "--json",
            ]  # fmt: skip
            best: dict[str, dict[str, float]] = {"cnntui": {}, "torch": {}}
            for _ in range(args.rounds):  # alternate, best of each
                for name, command in (("cnntui", cnntui), ("torch", torch)):
                    document = one_json(command, env)
                    if name == "cnntui" and document.get("backend") != "gpu":
                        sys.exit(f"cnntui did not run on the GPU: {document.get('reason')}")
                    for key in ("train_images_per_s", "infer_images_per_s"):
                        best[name][key] = max(best[name].get(key, 0.0), float(document[key]))
            rows.append(
                {
                    "model": model,
                    "batch": batch,
                    "cnntui_train": best["cnntui"]["train_images_per_s"],
                    "torch_train": best["torch"]["train_images_per_s"],
                    "train_ratio": best["cnntui"]["train_images_per_s"]
                    / best["torch"]["train_images_per_s"],
                    "cnntui_infer": best["cnntui"]["infer_images_per_s"],
                    "torch_infer": best["torch"]["infer_images_per_s"],
                    "infer_ratio": best["cnntui"]["infer_images_per_s"]
                    / best["torch"]["infer_images_per_s"],
                }
            )
            say(format_row(rows[-1]))
    return rows


HEADER = (
    "| model | batch | cnntui train img/s | PyTorch train img/s | train ratio "
    "| cnntui infer img/s | PyTorch infer img/s | infer ratio |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|"
)


def format_row(row: dict[str, Any]) -> str:
    return (
        f"| {row['model']} | {row['batch']} | {row['cnntui_train']:,.0f} | {row['torch_train']:,.0f} "
        f"| **{row['train_ratio']:.2f}×** | {row['cnntui_infer']:,.0f} | {row['torch_infer']:,.0f} "
        f"| {row['infer_ratio']:.2f}× |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torch-script", default=str(ROOT.parent / "shared/bench/torch_cnn.py"))
    parser.add_argument("--torch-python", default=sys.executable)
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--batches", nargs="+", type=int, default=[32, 128, 512, 2048])
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-tests", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the rows as one JSON document")
    args = parser.parse_args()
    if not Path(args.torch_script).is_file():
        sys.exit(f"--torch-script: {args.torch_script} is not a file")
    if not args.skip_tests:
        run_tests(sys.executable)
    say(HEADER)
    rows = measure(args)
    if args.json:
        print(json.dumps(rows))
    else:
        print("\n" + HEADER + "\n" + "\n".join(format_row(r) for r in rows))


if __name__ == "__main__":
    main()
