import sys

from scripts.prodcheck.run import main

sys.exit(main())
