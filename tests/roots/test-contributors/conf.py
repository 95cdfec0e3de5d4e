extensions = ["myst_parser", "sosai.datatable", "sosai.footer", "sosai.badges"]
exclude_patterns = ["_build"]
nitpicky = True
html_theme_options = {
    "repository_url": "https://github.com/example/book",
    "repository_branch": "main",
}
html_theme = "sphinx_book_theme"
