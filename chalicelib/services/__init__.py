"""Business rules: no HTTP types, no boto3."""
