"""Providers' standing (verified, suspended...) learnt from the catalogue's change feed."""
