"""The world, one outside thing per module: files, git, mail, the clock.

May import ledgerops.core; never ledgerops.yamlfile, ledgerops.render or ledgerops.app.
"""
