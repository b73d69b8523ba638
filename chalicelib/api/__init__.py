"""HTTP edge: one blueprint per area. Parse, call one service, answer (to_response)."""
