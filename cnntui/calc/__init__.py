"""The Calculator's numerics: exact shapes, parameters, MACs and receptive fields, with the working.

* `layer`: one layer (`FeatureShape`, `LayerSpec`, `analyze_layer`), padding words and the
  validated output sizes with their explanations;
* `chain`: a stack of layers with its receptive field and effective stride (`analyze_chain`);
* `chain_presets`: the named stacks (LeNet-5, AlexNet, the GoogLeNet bottleneck, ...);
* `presets`: the validator for `cnntui:calc?...` lesson links.

Pure Python: importing this package never imports Textual, Rich or CuPy.
"""

from __future__ import annotations
