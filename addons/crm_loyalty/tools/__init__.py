from . import points
from . import sql
