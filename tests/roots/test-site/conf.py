extensions = ["myst_parser", "sosai.website.site"]
html_baseurl = "https://example.org/book/"
exclude_patterns = ["_build"]
