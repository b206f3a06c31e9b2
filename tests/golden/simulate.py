def dsimulate(k, x0):
    a_1 = None
    a_2 = None
    a_3 = None
    v_1 = None
    x_1 = None
    a_1_stack = []
    a_2_stack = []
    a_3_stack = []
    v_1_stack = []
    v_stack = []
    x_1_stack = []
    x_stack = []
    x = x0
    v = 0.0
    break_loop = False
    step_trips = 0
    for _step in range(200):
        step_trips += 1
        a_2_stack.append(a_2)
        a_2 = -k
        a_1_stack.append(a_1)
        a_1 = a_2 * x
        a_3_stack.append(a_3)
        a_3 = 0.1 * v
        a = a_1 - a_3
        v_1_stack.append(v_1)
        v_1 = 0.01 * a
        v_stack.append(v)
        v = v + v_1
        x_1_stack.append(x_1)
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
    dx = dresult * x + dresult * x
    # grad of line 33: for _step in range(200):
    dk = zeros_like(k)
    dv = zeros_like(v)
    for _step in reversed(range(200)[:step_trips]):
        # grad of line 36: x = x + 0.01 * v
        x = x_stack.pop()
        dx_1 = unbroadcast(dx, x_1)
        dx = unbroadcast(dx, x)
        dv = dv + dx_1 * 0.01
        x_1 = x_1_stack.pop()
        # grad of line 35: v = v + 0.01 * a
        v = v_stack.pop()
        dv_1 = unbroadcast(dv, v_1)
        dv = unbroadcast(dv, v)
        da = dv_1 * 0.01
        v_1 = v_1_stack.pop()
        # grad of line 34: a = -k * x - 0.1 * v
        da_1 = unbroadcast(da, a_1)
        da_3 = unbroadcast(-da, a_3)
        dv = dv + da_3 * 0.1
        a_3 = a_3_stack.pop()
        da_2 = unbroadcast(da_1 * x, a_2)
        dx = dx + unbroadcast(da_1 * a_2, x)
        a_1 = a_1_stack.pop()
        dk = dk + -da_2
        a_2 = a_2_stack.pop()
    return gradient_of(dk, k)
