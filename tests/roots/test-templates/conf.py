extensions = ["myst_parser", "sosai.speed.templates"]
html_theme = "sphinx_book_theme"
exclude_patterns = ["_build"]
