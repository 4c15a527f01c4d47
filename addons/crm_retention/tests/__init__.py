from . import test_churn_math
from . import test_churn_risk
from . import test_winback
from . import test_save_report
from . import test_access
