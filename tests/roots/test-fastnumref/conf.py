extensions = ["myst_parser", "sosai.fastnumref"]
numfig = True
nitpicky = True
exclude_patterns = ["_build"]
