"""Subject requests: types, regimes, deadlines, the state machine and verification primitives."""
