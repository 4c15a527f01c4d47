from . import crm_privacy_access_log
from . import res_company
from . import res_config_settings
from . import res_partner
from . import crm_privacy_erasure_request
from . import crm_privacy_erasure_loyalty_entry
from . import crm_privacy_retention
from . import res_users
