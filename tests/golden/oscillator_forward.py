def doscillator(k, x0, n_steps):
    # line 22: x, v = x0, 0.0
    x = x0
    v = 0.0
    # line 23: for _ in range(n_steps):
    break_loop = False
    dv = 0.0
    dx = 0.0
    for _ in range(n_steps):
        # line 24: a = -k * x - 0.1 * v
        a_2 = -k
        da_2 = -1.0
        a_1 = a_2 * x
        da_1 = da_2 * x + a_2 * dx
        a_3 = 0.1 * v
        da_3 = 0.1 * dv
        a = a_1 - a_3
        da = da_1 - da_3
        # line 25: v = v + 0.01 * a
        v_1 = 0.01 * a
        dv_1 = 0.01 * da
        dv = dv + dv_1
        v = v + v_1
        # line 26: x = x + 0.01 * v
        x_1 = 0.01 * v
        dx_1 = 0.01 * dv
        dx = dx + dx_1
        x = x + x_1
        if x > 2.0:
            # line 28: break
            break_loop = True
        if break_loop:
            break
    # line 29: return x * x
    dresult = dx * x + x * dx
    return float(dresult)
