from . import clv
from . import lifecycle
