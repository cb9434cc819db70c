"""Run a command and write its peak memory (and CPU time) to a JSON file: peak_rss.py OUT CMD...

Two figures: the largest resident set of any one process (the kernel's ru_maxrss), and the peak of the whole
process tree's proportional set size (PSS, sampled every SAMPLE_SECONDS), which counts the pages that forked
workers share with their parent once rather than once per process: what the import really takes from the machine.
"""

import json
import os
import resource
import subprocess
import sys
import threading

# Reading smaps_rollup walks a process's page tables: sampled every 50 ms, it took a fifth of a core from the
# import it measured (more for an import of several processes). Memory peaks last longer than this.
SAMPLE_SECONDS = 0.25


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(child) for child in handle.read().split()]
    except OSError:
        pass
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_pss_kb(root: int) -> int:
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        total += _pss_kb(pid)
        pending += _children(pid)
    return total


def main() -> int:
    out, command = sys.argv[1], sys.argv[2:]
    process = subprocess.Popen(command)
    peak = {"tree_pss_kb": 0}
    done = threading.Event()

    def sample():
        while not done.wait(SAMPLE_SECONDS):
            peak["tree_pss_kb"] = max(peak["tree_pss_kb"], tree_pss_kb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = process.wait()
    done.set()
    sampler.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak["max_process_rss_kb"] = usage.ru_maxrss
    # CPU time of the command and its workers: less sensitive than wall time to what else the machine runs.
    peak["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 2)
    with open(out, "w") as handle:
        json.dump(peak, handle)
    return code


if __name__ == "__main__":
    sys.exit(main())
