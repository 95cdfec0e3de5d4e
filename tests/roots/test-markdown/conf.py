extensions = [
    "myst_parser",
    "sphinxcontrib.bibtex",
    "sosai.features.bibstyle",
    "sosai.features.citestyle",
    "sosai.features.datatable",
    "sosai.website.site",
]
myst_enable_extensions = ["colon_fence", "deflist"]
bibtex_bibfiles = ["refs.bib"]
bibtex_reference_style = "sosai"
bibtex_default_style = "sosai"
html_baseurl = "https://example.org/book/"
numfig = True
nitpicky = True
exclude_patterns = ["_build"]
