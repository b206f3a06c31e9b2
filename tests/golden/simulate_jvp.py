def simulate_jvp(k, x0, *, tangent):
    dk = tangent_in(tangent, k)
    # line 32: x, v = x0, 0.0
    x = x0
    v = 0.0
    # line 33: for _step in range(200):
    break_loop = False
    dv = zeros_like(v)
    dx = zeros_like(x)
    for _step in range(200):
        # line 34: a = -k * x - 0.1 * v
        a_2 = -k
        da_2 = -dk
        a_1 = a_2 * x
        da_1 = da_2 * x + a_2 * dx
        a_3 = 0.1 * v
        da_3 = 0.1 * dv
        a = a_1 - a_3
        da = da_1 - da_3
        # line 35: v = v + 0.01 * a
        v_1 = 0.01 * a
        dv_1 = 0.01 * da
        dv = dv + dv_1
        v = v + v_1
        # line 36: x = x + 0.01 * v
        x_1 = 0.01 * v
        dx_1 = 0.01 * dv
        dx = dx + dx_1
        x = x + x_1
        if x > 2.0:
            # line 38: break
            break_loop = True
        if break_loop:
            break
    # line 39: return x * x
    result = x * x
    dresult = dx * x + x * dx
    return result, tangent_out(dresult, result)
