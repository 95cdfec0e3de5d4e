extensions = ["myst_parser", "sosai.speed.fastnumref"]
numfig = True
nitpicky = True
exclude_patterns = ["_build"]
