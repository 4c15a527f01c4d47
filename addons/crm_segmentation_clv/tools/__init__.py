from . import clv
