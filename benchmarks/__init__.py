"""Benchmarks: srcdiff against a hand-written gradient, HIPS autograd and PyTorch.

``workloads`` holds the user-style functions, their hand-written gradients and
inputs; ``peers`` builds every implementation of one gradient; ``harness``
checks and times them; ``run`` is the command line (``python benchmarks/run.py``).
"""
