"""Make the checkout importable as ansible_collections.ebpfops.tetragon (scripts/setup.sh links it)."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, ".collections")
if not os.path.isdir(os.path.join(COLLECTIONS, "ansible_collections", "ebpfops", "tetragon")):
    raise RuntimeError("run scripts/setup.sh first: %s is missing" % COLLECTIONS)
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)
