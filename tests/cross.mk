# Cross-check of our decoder against the c_glib generated one.
