def drnn(W, U, b, xs):
    h_3 = None
    h_4 = None
    h_3_stack = []
    h_4_stack = []
    h_stack = []
    h = np.zeros(W.shape[0])
    for t in range(xs.shape[0]):
        # line 51: h = np.tanh(W @ h + U @ xs[t] + b)
        h_3_stack.append(shaped_like(h_3))
        h_3 = W @ h
        h_5 = xs[t]
        h_4_stack.append(shaped_like(h_4))
        h_4 = U @ h_5
        h_2 = h_3 + h_4
        h_1 = h_2 + b
        h_stack.append(h)
        h = np.tanh(h_1)
    # grad of line 52: return np.sum(h)
    dh = unreduce(1.0, h)
    # grad of line 50: for t in range(xs.shape[0]):
    dU = zeros_like(U)
    dW = zeros_like(W)
    db = zeros_like(b)
    for t in reversed(range(xs.shape[0])):
        # line 51: h = np.tanh(W @ h + U @ xs[t] + b)
        h_5 = xs[t]
        # grad of line 51: h = np.tanh(W @ h + U @ xs[t] + b)
        dh_1 = dh * (1.0 - h * h)
        h = h_stack.pop()
        db = db + unbroadcast(dh_1, b)
        dh_3 = unbroadcast(dh_1, h_3)
        dh_4 = unbroadcast(dh_1, h_4)
        dU = dU + matmul_left(dh_4, U, h_5)
        h_4 = h_4_stack.pop()
        dW = dW + matmul_left(dh_3, W, h)
        dh = matmul_right(dh_3, W, h)
        h_3 = h_3_stack.pop()
    return gradient_of(dW, W), gradient_of(dU, U), gradient_of(db, b)
