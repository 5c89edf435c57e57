"""`python -m cleancorp` is the `cleancorp` command."""

from cleancorp.cli import main

main()
