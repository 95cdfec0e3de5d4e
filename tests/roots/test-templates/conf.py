extensions = ["myst_parser", "sosai.templates"]
html_theme = "sphinx_book_theme"
exclude_patterns = ["_build"]
