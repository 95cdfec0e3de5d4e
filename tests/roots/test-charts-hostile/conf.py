extensions = ["myst_parser", "sosai.features.charts"]
numfig = True
nitpicky = True
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence"]
show_warning_types = True
