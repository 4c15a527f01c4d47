from . import crm_demo_story
