"""The standard Nexus proto annotations (the nexusannotations.v1 package), for contracts that import them."""
