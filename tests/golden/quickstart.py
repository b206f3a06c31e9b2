def dquickstart(x):
    y = x + 2
    z_1 = y * y
    z = z_1 * 3
    result = np.mean(z)
    dresult = unit_seed(result)
    # grad of line 28: return np.mean(z)
    dz = unreduce(dresult * (np.size(result) / np.size(z)), z)
    # grad of line 27: z = y * y * 3
    dz_1 = dz * 3
    dy = dz_1 * y + dz_1 * y
    # grad of line 26: y = x + 2
    dx = dy
    return gradient_of(dx, x)
