def dquickstart(x):
    y = x + 2
    # grad of line 28: return np.mean(z)
    dz = unreduce(1.0 / reduced_size(x), x)
    # grad of line 27: z = y * y * 3
    dz_1 = dz * 3
    dy = 2 * (dz_1 * y)
    # grad of line 26: y = x + 2
    return gradient_of(dy, x)
