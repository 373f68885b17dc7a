from ledgerops.cli import main

main()
