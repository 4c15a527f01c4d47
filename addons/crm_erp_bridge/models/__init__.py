from . import res_company
from . import res_config_settings
from . import res_partner
from . import crm_rfm_score
from . import sale_order
from . import loyalty_redeem_wizard
from . import loyalty_liability
