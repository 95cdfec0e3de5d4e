extensions = ["myst_parser", "sosai.speed.gctuning"]
exclude_patterns = ["_build"]
