"""Hypothesis profiles: `ci` (fixed, moderate), `dev` (the default, quicker), `fuzz` (thousands)."""

import os

from hypothesis import HealthCheck, settings

common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True)
settings.register_profile("ci", max_examples=100, derandomize=True, **common)
settings.register_profile("dev", max_examples=30, **common)
settings.register_profile("fuzz", max_examples=2500, **common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
