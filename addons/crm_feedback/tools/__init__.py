from . import sentiment
from . import uploads
