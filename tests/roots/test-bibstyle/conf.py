extensions = ["myst_parser", "sphinxcontrib.bibtex", "sosai.features.bibstyle", "sosai.speed.bibdomain"]
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "sosai"
bibtex_reference_style = "author_year"
exclude_patterns = ["_build"]
nitpicky = True
