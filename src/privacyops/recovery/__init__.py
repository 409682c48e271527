"""Work a dead worker left behind: find it, hand it out again, and say in the health check what is stuck."""
