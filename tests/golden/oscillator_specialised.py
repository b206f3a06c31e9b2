def doscillator(k, x0, n_steps):
    v_stack = []
    x_stack = []
    x = x0
    v = 0.0
    break_loop = False
    trips = 0
    for _ in range(n_steps):
        trips += 1
        a_2 = -k
        a_1 = a_2 * x
        a_3 = 0.1 * v
        a = a_1 - a_3
        v_1 = 0.01 * a
        v_stack.append(v)
        v = v + v_1
        x_1 = 0.01 * v
        x_stack.append(x)
        x = x + x_1
        if x > 2.0:
            break_loop = True
        if break_loop:
            break
    # grad of line 27: return x * x
    dx = 2 * (1.0 * x)
    # grad of line 21: for _ in range(n_steps):
    dk = 0.0
    dv = 0.0
    for _ in range(trips):
        # grad of line 24: x = x + 0.01 * v
        x = x_stack.pop()
        dv = dv + dx * 0.01
        # grad of line 23: v = v + 0.01 * a
        v = v_stack.pop()
        da = dv * 0.01
        # grad of line 22: a = -k * x - 0.1 * v
        da_3 = -da
        dv = dv + da_3 * 0.1
        da_2 = da * x
        dx = dx + da * a_2
        dk = dk + -da_2
    return float(dk)
