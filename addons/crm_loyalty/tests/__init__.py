from . import test_points_tools
from . import test_loyalty_earn
from . import test_loyalty_redeem
from . import test_loyalty_crons
from . import test_loyalty_security
from . import test_loyalty_concurrency
from . import test_loyalty_partner
from . import test_loyalty_lang
