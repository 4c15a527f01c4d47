from . import controllers
from . import report
from . import models
from .hooks import uninstall_hook
