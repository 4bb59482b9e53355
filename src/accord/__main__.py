from accord.cli import main

main()
