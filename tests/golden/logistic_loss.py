def dlogistic_loss(w, X, y):
    logits = X @ w
    # line 44: p = 1.0 / (1.0 + np.exp(-logits))
    p_3 = -logits
    p_2 = np.exp(p_3)
    p_1 = 1.0 + p_2
    p = 1.0 / p_1
    # line 45: return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))
    result_4 = np.log(p)
    result_3 = y * result_4
    result_6 = 1.0 - y
    result_8 = 1.0 - p
    result_7 = np.log(result_8)
    result_5 = result_6 * result_7
    result_2 = result_3 + result_5
    # grad of line 45: return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))
    dresult_2 = unreduce(-1.0 / reduced_size(result_2), result_2)
    dresult_7 = dresult_2 * result_6
    dresult_8 = dresult_7 / result_8
    dp = unbroadcast(-dresult_8, logits)
    dresult_4 = dresult_2 * y
    dp = dp + unbroadcast(dresult_4 / p, logits)
    # grad of line 44: p = 1.0 / (1.0 + np.exp(-logits))
    dp_1 = -dp * p / p_1
    dp_3 = dp_1 * p_2
    dlogits = -dp_3
    # grad of line 43: logits = X @ w
    dw = matmul_right(dlogits, X, w)
    return gradient_of(dw, w)
