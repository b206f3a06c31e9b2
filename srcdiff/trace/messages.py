"""PyTorch's error and warning texts, in one place.

The define-by-run mode reproduces PyTorch's messages word for word (see
``shared/TORCH.md`` sec. 4).  Where PyTorch names torch-only things, the NumPy
equivalent stands in: a shape prints as a tuple (``(2,)``, not
``torch.Size([2])``) and a dtype by its NumPy name (``float32``, not
``torch.FloatTensor`` / ``Float``).  The anomaly-detection hint is left out
because there is no anomaly mode here.
"""

NOT_SCALAR = "grad can be implicitly created only for scalar outputs"
SHAPE_MISMATCH = (
    "Mismatch in shape: grad_output[0] has a shape of {got} and output[0] has a shape of {want}."
)
FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)
NO_GRAD = "element 0 of tensors does not require grad and does not have a grad_fn"
INT_AT_CONSTRUCTION = "Only Tensors of floating point and complex dtype can require gradients"
INT_REQUIRES_GRAD_ = "only Tensors of floating point dtype can require gradients"
INT_REQUIRES_GRAD_SET = "only Tensors of floating point and complex dtype can require gradients"
NON_LEAF_FLAG = (
    "you can only change requires_grad flags of leaf variables. If you want to use a computed "
    "variable in a subgraph that doesn't require differentiation use "
    "var_no_grad = var.detach()."
)
LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_INPLACE = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
MODIFIED = (
    "one of the variables needed for gradient computation has been modified by an inplace "
    "operation: [{dtype} {shape}]{which} is at version {version}; expected version {expected} "
    "instead."
)
GRAD_SIZE = (
    "attempting to assign a gradient of size '{got}' to a tensor of size '{want}'. Please "
    "ensure that the gradient and the tensor are the same size"
)
GRAD_DTYPE = (
    "attempting to assign a gradient with dtype '{got}' to a tensor with grad_dtype '{want}'. "
    "The gradient must match the tensor's grad_dtype (defaults to the tensor's dtype)."
)
GRAD_TYPE = "assigned grad expected to be a Tensor or None but got grad of type {type}"
NUMPY_WITH_GRAD = (
    "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
)
ONE_ELEMENT = "only one element tensors can be converted to Python scalars"
AMBIGUOUS_BOOL = "Boolean value of Tensor with more than one value is ambiguous"
MEAN_INT = (
    "mean(): could not infer output dtype. Input dtype must be either a floating point or "
    "complex dtype. Got: {dtype}"
)
LEN_0D = "len() of a 0-d tensor"
GRADIENT_FLOAT = "'float' object is not iterable"
GRADIENT_TYPE = "gradients can be either Tensors or None, but got {type}"

NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information."
)
CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using "
    "autograd.grad when creating the graph to avoid this. If you have to use this function, "
    "make sure to reset the .grad fields of your parameters to None after use to break the "
    "cycle and avoid the leak."
)
FLOAT_WITH_GRAD_WARNING = (
    "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
    "Consider using tensor.detach() first."
)
COPY_CONSTRUCT_WARNING = (
    "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
    "or sourceTensor.detach().clone().requires_grad_(True), rather than "
    "srcdiff.tensor(sourceTensor)."
)
T_DEPRECATED_WARNING = (
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
    "deprecated and it will throw an error in a future release. Consider `x.mT` to transpose "
    "batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the "
    "dimensions of a tensor."
)
