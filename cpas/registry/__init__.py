"""National Register / BCSS adapters: an interface and a local register of fictitious persons."""
