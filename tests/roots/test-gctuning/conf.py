extensions = ["myst_parser", "sosai.gctuning"]
exclude_patterns = ["_build"]
