def dscalar_loop_grad(k):
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
    dv_stack = []
    dx_1_stack = []
    dx_3_stack = []
    dx_stack = []
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
        # line 17: v = v + v_1
        v_stack_1.append(v)
        v = v + v_1
        x_1 = 0.05 * v
        x_stack.append(x)
        # line 21: x = x + x_1
        x_stack_1.append(x)
        x = x + x_1
    result = x * x
    dresult = unit_seed(result)
    # line 26: dx = 2 * (dresult * x)
    dx_2 = dresult * x
    dx = 2 * dx_2
    dk = zeros_like(k)
    dv = zeros_like(v)
    for _ in range(20):
        # line 32: x = x_stack.pop()
        x_stack_1.append(x)
        x = x_stack.pop()
        # line 33: dx_1 = dx
        dx_1_stack.append(shaped_like(dx_1))
        dx_1 = dx
        # line 34: dx = unbroadcast(dx, x)
        dx_stack.append(dx)
        dx = unbroadcast(dx, x)
        # line 35: dv = dv + unbroadcast(dx_1 * 0.05, v)
        dv_3 = dx_1 * 0.05
        dv_2_stack.append(shaped_like(dv_2))
        dv_2 = unbroadcast(dv_3, v)
        dv_stack.append(dv)
        dv = dv + dv_2
        # line 37: v = v_stack.pop()
        v_stack_1.append(v)
        v = v_stack.pop()
        # line 38: dv_1 = dv
        dv_1_stack.append(shaped_like(dv_1))
        dv_1 = dv
        # line 39: dv = unbroadcast(dv, v)
        dv_stack.append(dv)
        dv = unbroadcast(dv, v)
        # line 40: da = dv_1 * 0.05
        da_stack.append(da)
        da = dv_1 * 0.05
        da_3 = -da
        # line 43: dv = dv + unbroadcast(da_3 * 0.1, v)
        dv_5 = da_3 * 0.1
        dv_4_stack.append(shaped_like(dv_4))
        dv_4 = unbroadcast(dv_5, v)
        dv_stack.append(dv)
        dv = dv + dv_4
        da_2 = da * x
        # line 45: dx = dx + unbroadcast(da * a_2, x)
        dx_4 = da * a_2
        dx_3_stack.append(shaped_like(dx_3))
        dx_3 = unbroadcast(dx_4, x)
        dx_stack.append(dx)
        dx = dx + dx_3
        # line 46: dk = dk + unbroadcast(-da_2, k)
        dk_2 = -da_2
        dk_1_stack.append(shaped_like(dk_1))
        dk_1 = unbroadcast(dk_2, k)
        dk_stack.append(dk)
        dk = dk + dk_1
    # line 47: return gradient_of(dk, k)
    result_1 = gradient_of(dk, k)
    result_1_grad = unit_seed(result_1)
    # grad of line 47: return gradient_of(dk, k)
    dk_grad = unbroadcast(result_1_grad, dk)
    # grad of line 30: for _ in range(20):
    a_2_grad = 0.0
    dv_grad = zeros_like(dv)
    dx_grad = zeros_like(dx)
    x_stack_grad = zeros_like(x_stack)
    for _ in range(20):
        # grad of line 46: dk = dk + unbroadcast(-da_2, k)
        dk = dk_stack.pop()
        dk_1_grad = unbroadcast(dk_grad, dk_1)
        dk_grad = unbroadcast(dk_grad, dk)
        dk_1 = dk_1_stack.pop()
        da_2_grad = -dk_1_grad
        # grad of line 45: dx = dx + unbroadcast(da * a_2, x)
        dx = dx_stack.pop()
        dx_3_grad = unbroadcast(dx_grad, dx_3)
        dx_grad = unbroadcast(dx_grad, dx)
        dx_3 = dx_3_stack.pop()
        da_grad = unbroadcast(dx_3_grad * a_2, dv_1)
        a_2_grad = a_2_grad + unbroadcast(dx_3_grad * da, k)
        # grad of line 44: da_2 = da * x
        da_grad = da_grad + unbroadcast(da_2_grad * x, dv_1)
        x_grad = unbroadcast(da_2_grad * da, x)
        # grad of line 43: dv = dv + unbroadcast(da_3 * 0.1, v)
        dv = dv_stack.pop()
        dv_4_grad = unbroadcast(dv_grad, dv_4)
        dv_grad = unbroadcast(dv_grad, dv)
        dv_4 = dv_4_stack.pop()
        da_3_grad = dv_4_grad * 0.1
        # grad of line 42: da_3 = -da
        da_grad = da_grad + unbroadcast(-da_3_grad, dv_1)
        # grad of line 40: da = dv_1 * 0.05
        dv_1_grad = da_grad * 0.05
        da = da_stack.pop()
        # grad of line 39: dv = unbroadcast(dv, v)
        dv = dv_stack.pop()
        dv_grad = unbroadcast(dv_grad, dv)
        # grad of line 38: dv_1 = dv
        dv_grad = dv_grad + dv_1_grad
        dv_1 = dv_1_stack.pop()
        # grad of line 37: v = v_stack.pop()
        v_stack.append(v)
        v = v_stack_1.pop()
        # grad of line 35: dv = dv + unbroadcast(dx_1 * 0.05, v)
        dv = dv_stack.pop()
        dv_2_grad = unbroadcast(dv_grad, dv_2)
        dv_grad = unbroadcast(dv_grad, dv)
        dv_2 = dv_2_stack.pop()
        dx_1_grad = unbroadcast(dv_2_grad * 0.05, dx_1)
        # grad of line 34: dx = unbroadcast(dx, x)
        dx = dx_stack.pop()
        dx_grad = unbroadcast(dx_grad, dx)
        # grad of line 33: dx_1 = dx
        dx_grad = dx_grad + dx_1_grad
        dx_1 = dx_1_stack.pop()
        # grad of line 32: x = x_stack.pop()
        x_stack_grad.append(x_grad)
        x_stack.append(x)
        x = x_stack_1.pop()
    # grad of line 26: dx = 2 * (dresult * x)
    dx_2_grad = dx_grad * 2
    x_grad = unbroadcast(dx_2_grad * dresult, x)
    # grad of line 8: for _ in range(20):
    k_grad = zeros_like(k)
    v_grad = zeros_like(v)
    for _ in range(20):
        # grad of line 21: x = x + x_1
        x = x_stack_1.pop()
        x_1_grad = x_grad
        x_grad = unbroadcast(x_grad, x)
        # grad of line 20: x_stack.append(x)
        x_grad = x_grad + x_stack_grad.pop()
        x_stack.pop()
        # grad of line 19: x_1 = 0.05 * v
        v_grad = v_grad + unbroadcast(x_1_grad * 0.05, v)
        # grad of line 17: v = v + v_1
        v = v_stack_1.pop()
        v_1_grad = v_grad
        v_grad = unbroadcast(v_grad, v)
        v_stack.pop()
        # grad of line 15: v_1 = 0.05 * a
        a_grad = v_1_grad * 0.05
        # grad of line 13: a = a_1 - a_3
        a_3_grad = -a_grad
        # grad of line 12: a_3 = 0.1 * v
        v_grad = v_grad + unbroadcast(a_3_grad * 0.1, v)
        # grad of line 11: a_1 = a_2 * x
        a_2_grad = a_2_grad + unbroadcast(a_grad * x, k)
        x_grad = x_grad + unbroadcast(a_grad * a_2, x)
        # grad of line 10: a_2 = -k
        k_grad = k_grad - a_2_grad
        a_2_grad = zeros_like(a_2)
    return gradient_of(k_grad, k)
