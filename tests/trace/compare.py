"""Helpers for running the same operations on srcdiff Tensors and real PyTorch tensors.

PyTorch names torch-only things that srcdiff spells the NumPy way (shapes as
tuples, dtypes by NumPy name); ``translate`` rewrites a PyTorch message or
repr into srcdiff's spelling so the two can be compared exactly.
"""

import re

import numpy as np
import torch

import srcdiff.trace as st

_DTYPES = {
    "torch.float64": "float64",
    "torch.float32": "float32",
    "torch.int64": "int64",
    "torch.int32": "int32",
    "torch.float16": "float16",
    "torch.bool": "bool",
    "torch.DoubleTensor": "float64",
    "torch.FloatTensor": "float32",
    "'double'": "'float64'",
    "'Float'": "'float32'",
    "Long": "int64",
}


def translate(text):
    """PyTorch's text in srcdiff's spelling: ``torch.Size([2])`` -> ``(2,)`` and NumPy dtypes."""

    def size(match):
        dims = [d.strip() for d in match.group(1).split(",") if d.strip()]
        return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"

    text = re.sub(r"torch\.Size\(\[([^\]]*)\]\)", size, text)
    text = re.sub(r" \(Triggered internally at [^)]*\)", "", text)
    text = text.split(" Hint: enable anomaly detection")[0]
    text = text.replace("torch.tensor(sourceTensor)", "srcdiff.tensor(sourceTensor)")
    text = text.replace("torch::autograd::", "")
    for theirs, ours in _DTYPES.items():
        text = text.replace(theirs, ours)
    if "set the tensor's grad_dtype" in text:
        text = text.split(" You can set")[0]
    return text


def pair(data, requires_grad=True, dtype=np.float64):
    """The same leaf in both libraries (float64 data unless ``dtype``)."""
    array = np.array(data, dtype=dtype)
    return (
        st.tensor(array, requires_grad=requires_grad),
        torch.tensor(array, requires_grad=requires_grad),
    )


def values(t):
    """A Tensor of either library as an ndarray (detached)."""
    return np.asarray(t.detach().numpy())


def raised(fn):
    """``(exception type name, srcdiff-spelled message)`` of what ``fn()`` raises."""
    try:
        fn()
    except Exception as error:  # noqa: BLE001 (the test compares whatever was raised)
        return type(error).__name__, translate(str(error))
    raise AssertionError("nothing was raised")
