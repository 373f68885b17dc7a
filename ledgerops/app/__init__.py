"""Use cases, one module per CLI verb: edge -> yamlfile -> core -> render -> edge.

May import every ledgerops package except ledgerops.cli.
"""
