def ddscalar_loop(k):
    da = None
    dk_1 = None
    dv_1 = None
    dv_2 = None
    dv_4 = None
    dx_1 = None
    dx_3 = None
    da_stack = []
    dk_1_stack = []
    dk_stack = []
    dv_1_stack = []
    dv_2_stack = []
    dv_4_stack = []
    dv_stack_1 = []
    dx_1_stack = []
    dx_3_stack = []
    dx_stack_1 = []
    v_stack_1 = []
    x_stack_1 = []
    v_stack = []
    x_stack = []
    x = 1.0
    v = 0.0
    for _ in range(20):
        a_2 = -k
        a_1 = a_2 * x
        a_3 = 0.1 * v
        a = a_1 - a_3
        v_1 = 0.05 * a
        v_stack.append(v)
        v_stack_1.append(v)
        v = v + v_1
        x_1 = 0.05 * v
        x_stack.append(x)
        x_stack_1.append(x)
        x = x + x_1
    result = x * x
    dresult = unit_seed(result)
    dx_2 = dresult * x
    dx = 2 * dx_2
    dk = zeros_like(k)
    dv = zeros_like(v)
    for _ in range(20):
        x_stack_1.append(x)
        x = x_stack.pop()
        dx_1_stack.append(dx_1)
        dx_1 = dx
        dx_stack_1.append(dx)
        dx = unbroadcast(dx, x)
        dv_3 = dx_1 * 0.05
        dv_2_stack.append(dv_2)
        dv_2 = unbroadcast(dv_3, v)
        dv_stack_1.append(dv)
        dv = dv + dv_2
        v_stack_1.append(v)
        v = v_stack.pop()
        dv_1_stack.append(dv_1)
        dv_1 = dv
        dv_stack_1.append(dv)
        dv = unbroadcast(dv, v)
        da_stack.append(da)
        da = dv_1 * 0.05
        da_3 = -da
        dv_5 = da_3 * 0.1
        dv_4_stack.append(dv_4)
        dv_4 = unbroadcast(dv_5, v)
        dv_stack_1.append(dv)
        dv = dv + dv_4
        da_2 = da * x
        dx_4 = da * a_2
        dx_3_stack.append(dx_3)
        dx_3 = unbroadcast(dx_4, x)
        dx_stack_1.append(dx)
        dx = dx + dx_3
        dk_2 = -da_2
        dk_1_stack.append(dk_1)
        dk_1 = unbroadcast(dk_2, k)
        dk_stack.append(dk)
        dk = dk + dk_1
    result_1 = gradient_of(dk, k)
    dresult_1 = unit_seed(result_1)
    # grad of line 42: return gradient_of(dk, k)
    ddk = unbroadcast(dresult_1, dk)
    # grad of line 25: for _ in range(20):
    da_2_1 = 0.0
    ddv = zeros_like(dv)
    ddx = zeros_like(dx)
    dx_stack = zeros_like(x_stack)
    for _ in range(20):
        # grad of line 41: dk = dk + unbroadcast(-da_2, k)
        dk = dk_stack.pop()
        ddk_1 = unbroadcast(ddk, dk_1)
        ddk = unbroadcast(ddk, dk)
        dk_1 = dk_1_stack.pop()
        dda_2 = -ddk_1
        # grad of line 40: dx = dx + unbroadcast(da * a_2, x)
        dx = dx_stack_1.pop()
        ddx_3 = unbroadcast(ddx, dx_3)
        ddx = unbroadcast(ddx, dx)
        dx_3 = dx_3_stack.pop()
        dda = unbroadcast(ddx_3 * a_2, dv_1)
        da_2_1 = da_2_1 + unbroadcast(ddx_3 * da, k)
        # grad of line 39: da_2 = da * x
        dda = dda + unbroadcast(dda_2 * x, dv_1)
        dx_5 = unbroadcast(dda_2 * da, x)
        # grad of line 38: dv = dv + unbroadcast(da_3 * 0.1, v)
        dv = dv_stack_1.pop()
        ddv_4 = unbroadcast(ddv, dv_4)
        ddv = unbroadcast(ddv, dv)
        dv_4 = dv_4_stack.pop()
        dda_3 = ddv_4 * 0.1
        # grad of line 37: da_3 = -da
        dda = dda + unbroadcast(-dda_3, dv_1)
        # grad of line 35: da = dv_1 * 0.05
        ddv_1 = dda * 0.05
        da = da_stack.pop()
        # grad of line 34: dv = unbroadcast(dv, v)
        dv = dv_stack_1.pop()
        ddv = unbroadcast(ddv, dv)
        # grad of line 33: dv_1 = dv
        ddv = ddv + ddv_1
        dv_1 = dv_1_stack.pop()
        # grad of line 32: v = v_stack.pop()
        v_stack.append(v)
        v = v_stack_1.pop()
        # grad of line 30: dv = dv + unbroadcast(dx_1 * 0.05, v)
        dv = dv_stack_1.pop()
        ddv_2 = unbroadcast(ddv, dv_2)
        ddv = unbroadcast(ddv, dv)
        dv_2 = dv_2_stack.pop()
        ddx_1 = unbroadcast(ddv_2 * 0.05, dx_1)
        # grad of line 29: dx = unbroadcast(dx, x)
        dx = dx_stack_1.pop()
        ddx = unbroadcast(ddx, dx)
        # grad of line 28: dx_1 = dx
        ddx = ddx + ddx_1
        dx_1 = dx_1_stack.pop()
        # grad of line 27: x = x_stack.pop()
        dx_stack.append(dx_5)
        x_stack.append(x)
        x = x_stack_1.pop()
    # grad of line 21: dx = 2 * (dresult * x)
    ddx_2 = ddx * 2
    dx_5 = unbroadcast(ddx_2 * dresult, x)
    # grad of line 7: for _ in range(20):
    dk_3 = zeros_like(k)
    dv_6 = zeros_like(v)
    for _ in range(20):
        # grad of line 17: x = x + x_1
        x = x_stack_1.pop()
        dx_1_1 = dx_5
        dx_5 = unbroadcast(dx_5, x)
        # grad of line 16: x_stack.append(x)
        dx_5 = dx_5 + dx_stack.pop()
        x_stack.pop()
        # grad of line 15: x_1 = 0.05 * v
        dv_6 = dv_6 + unbroadcast(dx_1_1 * 0.05, v)
        # grad of line 14: v = v + v_1
        v = v_stack_1.pop()
        dv_1_1 = dv_6
        dv_6 = unbroadcast(dv_6, v)
        v_stack.pop()
        # grad of line 12: v_1 = 0.05 * a
        da_1 = dv_1_1 * 0.05
        # grad of line 11: a = a_1 - a_3
        da_3_1 = -da_1
        # grad of line 10: a_3 = 0.1 * v
        dv_6 = dv_6 + unbroadcast(da_3_1 * 0.1, v)
        # grad of line 9: a_1 = a_2 * x
        da_2_1 = da_2_1 + unbroadcast(da_1 * x, k)
        dx_5 = dx_5 + unbroadcast(da_1 * a_2, x)
        # grad of line 8: a_2 = -k
        dk_3 = dk_3 - da_2_1
        da_2_1 = zeros_like(a_2)
    return gradient_of(dk_3, k)
