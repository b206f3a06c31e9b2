def dhelper_chain(x, w):
    result_1, middle_backward = middle_forward(x, w, shift=1.0)
    result_2, middle_backward_1 = middle_forward(w, x)
    result = result_1 + result_2
    dresult = unit_seed(result)
    # grad of line 36: return middle(x, w, shift=1.0) + middle(w, x)
    dresult_1 = unbroadcast(dresult, result_1)
    dresult_2 = unbroadcast(dresult, result_2)
    cotangents = middle_backward_1(dresult_2)
    dw = cotangents[0]
    dx = cotangents[1]
    cotangents_1 = middle_backward(dresult_1)
    dx = dx + cotangents_1[0]
    dw = dw + cotangents_1[1]
    return gradient_of(dx, x), gradient_of(dw, w)


def inner_forward(x, scale=2.0, *, power=2):
    result_1 = x ** power
    result = scale * result_1

    def backward(seed):
        dresult = check_seed(seed, result)
        # grad of line 28: return scale * x**power
        dresult_1 = dresult * scale
        dx = unbroadcast(dresult_1 * power * x ** (power - 1 + 0 ** (power * power)), x)
        return gradient_of(dx, x),
    return result, backward


def middle_forward(x, w, shift=0.0):
    result_3 = x * w
    result_2, inner_backward = inner_forward(result_3, power=3)
    result_1 = result_2 + shift
    result = np.sum(result_1)

    def backward(seed):
        dresult = check_seed(seed, result)
        # grad of line 32: return np.sum(inner(x * w, power=3) + shift)
        dresult_1 = unreduce(dresult, result_1)
        dresult_2 = unbroadcast(dresult_1, result_2)
        dresult_3 = inner_backward(dresult_2)[0]
        dx = unbroadcast(dresult_3 * w, x)
        dw = unbroadcast(dresult_3 * x, w)
        return gradient_of(dx, x), gradient_of(dw, w)
    return result, backward
