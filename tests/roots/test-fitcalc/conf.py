extensions = ["myst_parser", "sphinxcontrib.bibtex", "sosai.features.fitcalc"]
bibtex_bibfiles = ["refs.bib"]
bibtex_reference_style = "author_year"
numfig = True
nitpicky = True
exclude_patterns = ["_build"]
