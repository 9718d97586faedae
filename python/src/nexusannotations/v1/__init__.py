"""Generated modules of the nexusannotations.v1 option protos."""
