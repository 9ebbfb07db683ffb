"""Commissioning service: municipalities' plans, calls, offers, evaluation, awards, contracts (issues #3, #4)."""
