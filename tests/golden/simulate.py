def dsimulate(k, x0):
    v_stack = []
    x_stack = []
    x = x0
    v = 0.0
    break_loop = False
    step_trips = 0
    for _step in range(200):
        step_trips += 1
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
    result = x * x
    dresult = unit_seed(result)
    # grad of line 39: return x * x
    dx = 2 * (dresult * x)
    # grad of line 33: for _step in range(200):
    dk = zeros_like(k)
    dv = zeros_like(v)
    for _ in range(step_trips):
        # grad of line 36: x = x + 0.01 * v
        x = x_stack.pop()
        dx_1 = dx
        dx = unbroadcast(dx, x)
        dv = dv + unbroadcast(dx_1 * 0.01, v)
        # grad of line 35: v = v + 0.01 * a
        v = v_stack.pop()
        dv_1 = dv
        dv = unbroadcast(dv, v)
        da = dv_1 * 0.01
        # grad of line 34: a = -k * x - 0.1 * v
        da_3 = -da
        dv = dv + unbroadcast(da_3 * 0.1, v)
        da_2 = da * x
        dx = dx + unbroadcast(da * a_2, x)
        dk = dk + unbroadcast(-da_2, k)
    return gradient_of(dk, k)
