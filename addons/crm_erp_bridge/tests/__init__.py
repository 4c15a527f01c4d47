from . import test_bridge
from . import test_service_recovery
from . import test_event_flow
from . import test_i18n
from . import test_multi_company
from . import test_tours
from . import test_concurrency
from . import test_import
