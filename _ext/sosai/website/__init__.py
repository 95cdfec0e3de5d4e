"""The website layer: what only the published site needs (metadata, search, assets).

Each module is its own Sphinx extension; ``sosai/__init__.py`` lists them.
"""
