extensions = ["myst_parser", "sosai.features.datatable", "sosai.features.whatsnew"]
exclude_patterns = ["_build"]
nitpicky = True
html_baseurl = "https://book.example.org/"
html_theme_options = {"repository_url": "https://github.com/example/book"}
html_theme = "sphinx_book_theme"
