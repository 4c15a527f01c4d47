from . import test_access_log
from . import test_export
from . import test_inventory
from . import test_access_log_http
from . import test_erasure
from . import test_privacy_portal
from . import test_retention
