from . import crm_sales_fact
from . import crm_figures_queue
from . import account_move
from . import account_payment
from . import crm_marketing_consent
from . import res_partner
