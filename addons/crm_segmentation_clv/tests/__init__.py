from . import test_clv_math
from . import test_churn_clv
from . import test_clv_contribution
