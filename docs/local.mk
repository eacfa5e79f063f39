# Man pages and documentation.
