"""Public data sets: found in ``W2V_DATA_DIR`` or the cache, else downloaded and verified."""
