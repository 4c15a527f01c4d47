from . import test_value_policy_resolution
from . import test_value_policy_effects
