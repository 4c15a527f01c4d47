from . import test_story, test_overview_tour
