from ipscore.cli import main

main()
