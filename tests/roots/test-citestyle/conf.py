extensions = ["myst_parser", "sphinxcontrib.bibtex", "sosai.features.bibstyle", "sosai.features.citestyle"]
bibtex_bibfiles = ["refs.bib"]
bibtex_reference_style = "sosai"
bibtex_default_style = "sosai"
exclude_patterns = ["_build"]
nitpicky = True
