from . import sentiment
from . import uploads
from . import throttle
