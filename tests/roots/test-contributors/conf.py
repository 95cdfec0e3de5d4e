extensions = ["myst_parser", "sosai.features.datatable", "sosai.features.footer", "sosai.features.badges"]
exclude_patterns = ["_build"]
nitpicky = True
html_theme_options = {
    "repository_url": "https://github.com/example/book",
    "repository_branch": "main",
}
html_theme = "sphinx_book_theme"
