"""The standard Nexus proto annotations (package nexusannotations.v1) for contracts."""
