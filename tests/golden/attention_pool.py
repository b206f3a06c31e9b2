def dattention_pool(queries, keys):
    k = None
    q = None
    scores_1 = None
    k_stack = []
    q_stack = []
    scores_1_stack = []
    # line 11: scores = [np.dot(q, k) for q, k in zip(queries, keys)]
    scores = []
    for i in range(min(len(queries), len(keys))):
        # line 11: scores = [np.dot(q, k) for q, k in zip(queries, keys)]
        q_stack.append(q)
        q = queries[i]
        k_stack.append(k)
        k = keys[i]
        scores_1_stack.append(scores_1)
        scores_1 = np.dot(q, k)
        scores.append(scores_1)
    # line 12: weights = np.exp(np.stack(scores))
    weights_1 = np.stack(scores)
    weights = np.exp(weights_1)
    # line 13: return np.sum(weights / np.sum(weights))
    result_2 = np.sum(weights)
    result_1 = weights / result_2
    # grad of line 13: return np.sum(weights / np.sum(weights))
    dweights = 1.0 / result_2
    dresult_2 = unbroadcast(-1.0 * result_1 / result_2, result_2)
    dweights = dweights + dresult_2
    # grad of line 12: weights = np.exp(np.stack(scores))
    dweights_1 = dweights * weights
    dscores = stack_vjp(dweights_1, weights_1, scores)[0]
    # grad of line 11: scores = [np.dot(q, k) for q, k in zip(queries, keys)]
    dkeys = zeros_like(keys)
    dqueries = zeros_like(queries)
    for i in reversed(range(min(len(queries), len(keys)))):
        # grad of line 11: scores = [np.dot(q, k) for q, k in zip(queries, keys)]
        dscores_1 = dscores.pop()
        scores.pop()
        cotangents_3 = dot_vjp(dscores_1, scores_1, q, k)
        dq = cotangents_3[0]
        dk = cotangents_3[1]
        scores_1 = scores_1_stack.pop()
        add_at(dkeys, i, dk)
        k = k_stack.pop()
        add_at(dqueries, i, dq)
        q = q_stack.pop()
    return gradient_of(dqueries, queries), gradient_of(dkeys, keys)
