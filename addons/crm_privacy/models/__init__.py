from . import crm_privacy_access_log
from . import res_company
from . import res_config_settings
from . import res_partner
