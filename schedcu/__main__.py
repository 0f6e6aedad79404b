import sys

from schedcu.cli import main

sys.exit(main())
