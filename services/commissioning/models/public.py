"""The read cache's topic of the public's lists of calls (shared.cache): every write drops it, here when the write
answers and on every replica at its commit (the NOTIFY of the table triggers of migration 0019, on the tables
those lists read); and an entry lives no longer than until the next deadline of an open call, when a status
changes by the clock alone."""

PUBLIC_CALLS = "public-calls"
