from . import test_sentiment
from . import test_ticket
from . import test_portal
from . import test_quality
from . import test_public_form_fuzz
from . import test_nps_survey
from . import test_public_identity
from . import test_public_limits
