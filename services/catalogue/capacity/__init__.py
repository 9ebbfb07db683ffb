"""Capacity committed by contracts: the catalogue reads commissioning's change feed (contract signed, amended,
ended) and keeps each offering's `capacity_contracted`, so search shows the capacity really free."""
