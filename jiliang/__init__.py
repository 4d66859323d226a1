"""jiliang (计量): a city's metrology system on one platform."""
