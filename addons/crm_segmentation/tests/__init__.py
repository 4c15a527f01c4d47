from . import test_churn_rule
from . import test_rfm
from . import test_lifecycle

from . import test_lifecycle_rules
from . import test_rule_segment
from . import test_profiling
from . import test_sales_fact
