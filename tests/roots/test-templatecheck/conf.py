extensions = ["myst_parser", "sosai.templatecheck"]
html_theme = "sphinx_book_theme"
exclude_patterns = ["_build"]
