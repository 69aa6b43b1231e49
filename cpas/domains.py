"""The list of domain packages: each has a blueprint, models, and its function codes."""

DOMAINS = ("auth", "main", "access", "centre", "dossiers", "water_fund", "redi")
# Packages that only hold models (no blueprint).
MODEL_PACKAGES = ("access", "auth", "registry", "centre", "dossiers", "water_fund", "redi")
# Packages whose functions.py contributes groups and navigation, in menu order.
FUNCTION_PACKAGES = ("centre", "dossiers", "water_fund", "redi")
