"""Classification metrics on host arrays: accuracy, top-k, confusion matrix, confident mistakes."""

from __future__ import annotations

import numpy as np


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax of `(N, K)` logits, computed stably in float64, returned as float32."""
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Mean negative log-likelihood of `labels` `(N,)` under softmax(`logits` `(N, K)`)."""
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=1, keepdims=True)
    log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(len(labels)), labels].mean())


def accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    return float((np.argmax(logits, axis=1) == labels).mean()) if len(labels) else 0.0


def top_k(probs: np.ndarray, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """The `k` most likely classes `(N, k)` int64 and their probabilities `(N, k)`, best first."""
    k = min(k, probs.shape[1])
    idx = np.argsort(-probs, axis=1, kind="stable")[:, :k]
    return idx.astype(np.int64), np.take_along_axis(probs, idx, axis=1)


def confusion_matrix(predicted: np.ndarray, labels: np.ndarray, num_classes: int) -> np.ndarray:
    """`(K, K)` int64 counts: row = true class, column = predicted class."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (labels, predicted), 1)
    return matrix


def most_confidently_wrong(probs: np.ndarray, labels: np.ndarray, count: int = 8) -> np.ndarray:
    """Indices of the wrong predictions with the highest predicted probability, most confident first."""
    predicted = np.argmax(probs, axis=1)
    wrong = np.nonzero(predicted != labels)[0]
    confidence = probs[wrong, predicted[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")[:count]]
