from . import test_segment_mailing
from . import test_segment_mailing_tour
