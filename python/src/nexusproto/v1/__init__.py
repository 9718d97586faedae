"""Generated modules of the nexusproto.v1 option protos."""
