extensions = [
    "myst_parser",
    "sphinxcontrib.bibtex",
    "sosai.features.datatable",
    "sosai.website.markdown",
]
bibtex_bibfiles = ["refs.bib"]
bibtex_reference_style = "author_year"
html_baseurl = "https://example.org/book/"
numfig = True
nitpicky = True
exclude_patterns = ["_build"]
