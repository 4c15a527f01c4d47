def post_init_hook(env):
    """Analyse the tickets and NPS answers written while the analysers were not installed (crm_feedback's demo
    data, loaded before this addon, or a database that ran without the libraries); those analysed before keep
    their sentiment."""
    env["crm.feedback.ticket"].search([("sentiment", "=", False)])._apply_sentiment()
    Answer = env["crm.feedback.nps"]
    answers = Answer.search([("sentiment", "=", False)])
    for name in ("sentiment_score", "sentiment"):
        env.add_to_compute(Answer._fields[name], answers)
    Answer.flush_model()
