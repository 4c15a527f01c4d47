from . import test_access_log
from . import test_export
from . import test_inventory
