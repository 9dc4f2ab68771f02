"""``python -m mockllm --port 8600 [--demo-dir demo] [--latency-ms 200] [--fault-500 0.1] ...``"""

import sys

from mockllm._server import main

if __name__ == "__main__":
    sys.exit(main())
