"""``repr`` of a Tensor, laid out exactly as PyTorch prints it (TORCH.md sec. 5).

Precision 4, threshold 1000, edge items 3, line width 80.  One formatter is
chosen per Tensor from its shown, finite, non-zero values (integer, fixed or
scientific notation, one common width); rows wrap and nest as PyTorch's
``_tensor_str`` does.  The only deliberate difference: a non-default dtype is
shown by its NumPy name (``dtype=float64``), since there is no ``torch.float64``.
"""

import math

import numpy as np

PRECISION = 4
THRESHOLD = 1000
EDGE_ITEMS = 3
LINE_WIDTH = 80
_PLAIN_DTYPES = frozenset({np.dtype(np.float32), np.dtype(np.int64), np.dtype(np.bool_)})


class _FloatFormatter:
    """Formats every element of one float Tensor with a shared mode and width."""

    def __init__(self, shown):
        values = shown.astype(np.float64, copy=False).ravel()
        finite = values[np.isfinite(values) & (values != 0)]
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        if finite.size == 0:
            return
        magnitudes = np.abs(finite)
        low, high = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if self.int_mode:
            if high / low > 1000.0 or high > 1.0e8:
                self.sci_mode = True
                self.width = max(len(f"{v:.{PRECISION}e}") for v in finite.tolist())
            else:
                self.width = max(len(f"{v:.0f}") + 1 for v in finite.tolist())
        elif high / low > 1000.0 or high > 1.0e8 or low < 1.0e-4:
            self.sci_mode = True
            self.width = max(len(f"{v:.{PRECISION}e}") for v in finite.tolist())
        else:
            self.width = max(len(f"{v:.{PRECISION}f}") for v in finite.tolist())

    def __call__(self, value):
        value = float(value)
        if self.sci_mode:
            text = f"{value:{self.width}.{PRECISION}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if math.isfinite(value):
                text += "."
        else:
            text = f"{value:.{PRECISION}f}"
        return " " * (self.width - len(text)) + text


class _PlainFormatter:
    """Integers and booleans: ``str`` of each value, right-aligned to a common width."""

    def __init__(self, shown):
        self.width = max((len(str(v)) for v in shown.ravel().tolist()), default=1)

    def __call__(self, value):
        text = str(value.item() if hasattr(value, "item") else value)
        return " " * (self.width - len(text)) + text


def _summarized(data):
    """The values a summarized print shows: the first and last ``EDGE_ITEMS`` per dimension."""
    if data.ndim == 0:
        return data
    if data.shape[0] > 2 * EDGE_ITEMS:
        parts = [data[:EDGE_ITEMS], data[-EDGE_ITEMS:]]
    else:
        parts = [data]
    if data.ndim == 1:
        return np.concatenate(parts)
    return np.concatenate([np.stack([_summarized(row) for row in part]) for part in parts])


def _body(data, formatter, indent, summarize):
    if data.ndim == 0:
        return formatter(data[()])
    size = data.shape[0]
    cut = summarize and size > 2 * EDGE_ITEMS
    if data.ndim == 1:
        if cut:
            items = [formatter(v) for v in data[:EDGE_ITEMS]]
            items += [" ..."] + [formatter(v) for v in data[-EDGE_ITEMS:]]
        else:
            items = [formatter(v) for v in data]
        per_line = max(1, (LINE_WIDTH - indent) // (formatter.width + 2))
        lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    if cut:
        rows = [_body(data[i], formatter, indent + 1, summarize) for i in range(EDGE_ITEMS)]
        rows.append("...")
        rows += [
            _body(data[i], formatter, indent + 1, summarize) for i in range(size - EDGE_ITEMS, size)
        ]
    else:
        rows = [_body(row, formatter, indent + 1, summarize) for row in data]
    separator = "," + "\n" * (data.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(rows) + "]"


def format_array(data, indent=7):
    """The bracketed body PyTorch prints for ``data`` (no ``tensor(`` prefix, no suffixes)."""
    summarize = data.size > THRESHOLD
    shown = _summarized(data) if summarize else data
    if data.dtype.kind == "f":
        formatter = _FloatFormatter(shown)
    else:
        formatter = _PlainFormatter(shown)
    return _body(data, formatter, indent, summarize)


def tensor_repr(tensor):
    """``tensor(...)`` with PyTorch's layout and its ``dtype=`` / ``grad_fn=`` suffixes."""
    data = tensor._data
    suffixes = []
    if data.size == 0:
        body = "[]"
        if data.ndim != 1:
            suffixes.append(f"size={data.shape}")
        if data.dtype != np.float32:
            suffixes.append(f"dtype={data.dtype}")
    else:
        body = format_array(data)
        if data.dtype not in _PLAIN_DTYPES:
            suffixes.append(f"dtype={data.dtype}")
    if tensor.grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(tensor.grad_fn).__name__}>")
    elif tensor._requires_grad:
        suffixes.append("requires_grad=True")
    text = "tensor(" + body
    parts = [text]
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > LINE_WIDTH:
            parts.append(",\n" + " " * 7 + suffix)
            last_line = 7 + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line += len(suffix) + 2
    parts.append(")")
    return "".join(parts)
