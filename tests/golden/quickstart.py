def dquickstart(x):
    y = x + 2
    # grad of line 28: return np.mean(z)
    dz = 1.0 / reduced_size(x)
    # grad of line 27: z = y * y * 3
    dy = 6 * dz * y
    # grad of line 26: y = x + 2
    return gradient_of(dy, x)
