from . import sentiment
