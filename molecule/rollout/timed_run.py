"""Run a command with stderr merged into stdout, print ELAPSED <seconds> after it, exit with its code."""
import subprocess
import sys
import time

start = time.time()
code = subprocess.call(sys.argv[1:], stderr=subprocess.STDOUT)
print("ELAPSED %.3f" % (time.time() - start))
sys.exit(code)
