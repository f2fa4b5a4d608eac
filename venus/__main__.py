from venus.cli import main

main()
