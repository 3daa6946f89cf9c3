"""The one random generator behind randn, rand, nn.init and nn.data."""

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed the generator so that runs repeat exactly."""
    global _generator
    _generator = np.random.default_rng(check_seed(seed))


def check_seed(seed):
    """seed, if it is a non-negative integer (what numpy's generators take); else an error."""
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool):
        raise TypeError(f"a seed is a non-negative integer, got {seed!r}")
    if seed < 0:
        raise ValueError(f"a seed is a non-negative integer, got {seed}")
    return seed


def generator() -> np.random.Generator:
    return _generator
