def drift_grad(x, v, dt):
    # line 57: x = x + v * dt
    x_1 = v * dt
    x_old = x
    x = x + x_1
    # line 58: return np.sum(x * x)
    result_1 = x * x
    # grad of line 58: return np.sum(x * x)
    result_1_grad = unreduce(1.0, result_1)
    x_grad = 2 * (result_1_grad * x)
    # grad of line 57: x = x + v * dt
    x = x_old
    x_1_grad = x_grad
    x_grad = unbroadcast(x_grad, x)
    v_grad = unbroadcast(x_1_grad * dt, v)
    return gradient_of(x_grad, x), gradient_of(v_grad, v)
