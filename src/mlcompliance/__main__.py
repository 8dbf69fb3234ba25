from mlcompliance.cli import main

main()
