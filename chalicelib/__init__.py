"""CIM service: contacts, schema, mapping rules and interaction trees."""
