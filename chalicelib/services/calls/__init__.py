"""Calls: interaction trees, histories, attachments."""
