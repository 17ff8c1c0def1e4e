"""Stand-in for ansible-test's get-pip bootstrap script, whose download host is not reachable here.

ansible-test runs this with the arguments it would give get-pip.py (pip options and packages);
pip comes from the interpreter's bundled ensurepip wheel, then installs the packages from the
configured package index.
"""
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)
