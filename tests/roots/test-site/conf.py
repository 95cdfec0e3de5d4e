extensions = ["myst_parser", "sosai.site"]
html_baseurl = "https://example.org/book/"
exclude_patterns = ["_build"]
