"""Run a command and write its peak resident memory (kB) to a file: peak_rss.py OUT CMD..."""

import resource
import subprocess
import sys

if __name__ == "__main__":
    out, command = sys.argv[1], sys.argv[2:]
    code = subprocess.call(command)
    with open(out, "w") as handle:
        handle.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
    sys.exit(code)
