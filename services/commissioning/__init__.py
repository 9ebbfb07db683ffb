"""Commissioning service: municipalities' plans, calls, offers, evaluation, awards, contracts."""
