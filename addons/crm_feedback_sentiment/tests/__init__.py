from . import test_sentiment
from . import test_ticket_sentiment
