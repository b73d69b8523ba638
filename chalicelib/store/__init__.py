"""The only layer that talks to AWS. Everything above it sees domain objects
and domain errors, never boto3 types."""
