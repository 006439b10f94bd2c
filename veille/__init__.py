"""veille: conflict events from news articles, geocoded, dated, deduplicated, with evidence.

    from veille.pipeline import Pipeline
    from veille.readers import read_inputs
"""
__version__ = "0.1.0"
