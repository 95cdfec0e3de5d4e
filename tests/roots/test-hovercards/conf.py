extensions = ["myst_parser", "sphinxcontrib.bibtex", "sosai.features.hovercards", "sosai.features.citedin"]
bibtex_bibfiles = ["refs.bib"]
bibtex_reference_style = "author_year"
exclude_patterns = ["_build"]
nitpicky = True
