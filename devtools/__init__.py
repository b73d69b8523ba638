"""Development tools: local server and emulator, packaging, the cim command. Never bundled in the Lambda zip."""
