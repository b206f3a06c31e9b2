"""``srcdiff.autograd``: ``grad`` and ``backward`` for Tensors, as ``torch.autograd``.

``srcdiff.autograd.grad(outputs, inputs, grad_outputs=None, retain_graph=None,
create_graph=False, allow_unused=None, materialize_grads=False)`` returns a
tuple of gradients; ``srcdiff.autograd.backward(tensors, grad_tensors=None,
retain_graph=None, create_graph=False, inputs=None)`` adds them into
``.grad``.  With ``create_graph=True`` the gradients can be differentiated
again.  The implementation is the define-by-run mode's (``srcdiff/trace``).
"""

from srcdiff.trace.autograd import backward, grad

__all__ = ["backward", "grad"]
