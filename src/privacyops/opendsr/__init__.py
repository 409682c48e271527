"""OpenDSR v2 as a processor: customers' requests, signed answers, status callbacks; and PC-1 forwarding."""
