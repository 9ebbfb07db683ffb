"""The read cache's topic of the catalogue's public lists (shared.cache): every write drops it, here when the write
answers and on every replica at its commit (the NOTIFY of the table triggers of migration 0010, on every table
those lists read)."""

PUBLIC_LISTS = "catalogue-public"
