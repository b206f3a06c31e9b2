"""Random test inputs kept away from kinks and domain edges, one stream per seed."""

import numpy as np


class Values:
    """Generators of well-behaved inputs drawing from one seeded stream."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def normal(self, *shape):
        """Signed values with magnitude in [0.5, 2]: away from 0 (abs, sign)."""
        signs = self.rng.choice([-1.0, 1.0], size=shape)
        return np.asarray(signs * self.rng.uniform(0.5, 2.0, size=shape))

    def positive(self, *shape):
        return np.asarray(self.rng.uniform(0.5, 2.0, size=shape))

    def unit(self, *shape):
        """Inside (-1, 1), away from the ends: for arcsin/arccos."""
        return np.asarray(self.rng.uniform(-0.8, 0.8, size=shape))

    def distinct(self, *shape):
        """Values at least 0.2 apart and 0.05 from zero: max/min without ties."""
        size = int(np.prod(shape))
        spread = self.rng.permutation(size) * 0.3 - 1.05 + self.rng.uniform(0, 0.1, size)
        return spread.reshape(shape)

    def well_conditioned(self, *shape):
        """(Stacks of) matrices close to the identity; one number n means n x n."""
        if len(shape) == 1:
            shape = (shape[0], shape[0])
        return np.eye(shape[-1]) * 2.0 + 0.3 * self.rng.standard_normal(shape)
