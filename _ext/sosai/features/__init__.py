"""The book's features: what readers see in its pages (tables, charts, citations, credits).

Each module is its own Sphinx extension; ``sosai/__init__.py`` lists them.
"""
