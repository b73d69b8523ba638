"""Pure rules, no I/O: phones, names, values, contact validation, contact-center records."""
