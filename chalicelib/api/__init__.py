"""HTTP edge: one blueprint per area. Parse, call one service, render."""
