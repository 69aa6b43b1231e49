"""Document generation: Excel (openpyxl) and PDF (WeasyPrint)."""
