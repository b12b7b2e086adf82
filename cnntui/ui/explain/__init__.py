"""The Explain mode (key 7): inside a trained network.

`screen.ExplainScreen` coordinates; one widget per view, each with its own CSS and keys:
`layers.LayersView` (every layer's maps, unit selection), `unit.UnitPanel` (receptive field,
kernel, sum), `classifier.ClassifierView` (logits and softmax), `looks.LooksView` (saliency,
occlusion, Grad-CAM), `draw.DrawView` (the drawing pad), `transfer.TransferView` (the live
transfer-learning lab). `maps` draws small maps as text. All numbers come from `cnntui.explain`.
"""
