def drnn_cell_helper(W, U, xs):
    h_1 = None
    h_3 = None
    h_4 = None
    h_1_stack = []
    h_3_stack = []
    h_4_stack = []
    h_stack = []
    h = np.zeros(W.shape[0])
    for t in range(xs.shape[0]):
        # line 22: h = cell(h, xs[t])
        h_1_stack.append(h_1)
        h_1 = h
        x = xs[t]
        # line 18: return np.tanh(W @ h + U @ x)
        h_3_stack.append(shaped_like(h_3))
        h_3 = W @ h_1
        h_4_stack.append(shaped_like(h_4))
        h_4 = U @ x
        h_2 = h_3 + h_4
        h_stack.append(h)
        h = np.tanh(h_2)
    # grad of line 23: return np.sum(h)
    dh = unreduce(1.0, h)
    # grad of line 21: for t in range(xs.shape[0]):
    dU = zeros_like(U)
    dW = zeros_like(W)
    dxs = zeros_like(xs)
    for t in reversed(range(xs.shape[0])):
        # line 22: h = cell(h, xs[t])
        x = xs[t]
        # grad of line 18: return np.tanh(W @ h + U @ x)
        dh_2 = dh * (1.0 - h * h)
        h = h_stack.pop()
        dh_3 = unbroadcast(dh_2, h_3)
        dh_4 = unbroadcast(dh_2, h_4)
        dU = dU + matmul_left(dh_4, U, x)
        dx = matmul_right(dh_4, U, x)
        h_4 = h_4_stack.pop()
        dW = dW + matmul_left(dh_3, W, h_1)
        dh_1 = matmul_right(dh_3, W, h_1)
        h_3 = h_3_stack.pop()
        # grad of line 22: h = cell(h, xs[t])
        add_at(dxs, t, dx)
        dh = dh_1
        h_1 = h_1_stack.pop()
    return gradient_of(dW, W), gradient_of(dU, U), gradient_of(dxs, xs)
