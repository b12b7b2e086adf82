"""Inside a trained network: pretrained weights, activations, saliency, occlusion, Grad-CAM and
transfer learning, all computed with the engine's own forward and backward passes.

Pure (NumPy through the engine; no Textual, no Rich). The parts:

* `pretrained`: the shipped networks (`assets/pretrained/*.npz`), their data and how to load them;
* `pretrain`: the recipe that retrains each of them from a seed (`python -m cnntui.explain.pretrain`);
* `inputs`: turning a bundled image, a file or `DATASET:SPLIT:INDEX` into a normalised input;
* `network`: activations of every layer, one unit's receptive field, kernel and sum, the softmax;
* `attribution`: gradient saliency, occlusion and Grad-CAM maps;
* `report`: the one entry point `explain(...)` behind `cnntui explain`;
* `transfer`: the three-way transfer-learning comparison behind `cnntui transfer`, and the
  `--init` / `--freeze` helpers of `cnntui train`.
"""
