def doscillator(k, x0, n_steps):
    v_stack = []
    x_stack = []
    # line 22: x, v = x0, 0.0
    x = x0
    v = 0.0
    # line 23: for _ in range(n_steps):
    break_loop = False
    trips = 0
    for _ in range(n_steps):
        trips += 1
        # line 24: a = -k * x - 0.1 * v
        a_2 = -k
        a_1 = a_2 * x
        a_3 = 0.1 * v
        a = a_1 - a_3
        # line 25: v = v + 0.01 * a
        v_1 = 0.01 * a
        v_stack.append(v)
        v = v + v_1
        # line 26: x = x + 0.01 * v
        x_1 = 0.01 * v
        x_stack.append(x)
        x = x + x_1
        if x > 2.0:
            # line 28: break
            break_loop = True
        if break_loop:
            break
    # grad of line 29: return x * x
    dx = 2 * (1.0 * x)
    # grad of line 23: for _ in range(n_steps):
    dk = 0.0
    dv = 0.0
    for _ in range(trips):
        # grad of line 26: x = x + 0.01 * v
        x = x_stack.pop()
        dv = dv + dx * 0.01
        # grad of line 25: v = v + 0.01 * a
        v = v_stack.pop()
        da = dv * 0.01
        # grad of line 24: a = -k * x - 0.1 * v
        da_3 = -da
        dv = dv + da_3 * 0.1
        da_2 = da * x
        dx = dx + da * a_2
        dk = dk - da_2
    return float(dk)
