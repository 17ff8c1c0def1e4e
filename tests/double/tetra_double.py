# Tetragon TEST DOUBLE: the `tetra` CLI of the double's release archives. Same commands, flags, output
# and exit codes as the real CLI for what the collection uses (version, tracingpolicy add/delete/enable/
# disable/list/set-mode); it talks to the double's daemon (tetragon_double.py), not over gRPC.
import json
import os
import socket
import sys

VERSION = "@VERSION@"
INFO = "/var/run/tetragon/tetragon-info.json"
USAGE = "Usage: tetra [--server-address ADDR] [--timeout SECONDS] version [--server] | tracingpolicy ..."


def die(message, code=1):
    sys.stderr.write("Error: %s\n" % message)
    sys.exit(code)


def parse(argv):
    flags = {"server-address": None, "timeout": "30", "retries": "1", "mode": None, "output": "text",
             "namespace": ""}
    aliases = {"-o": "output", "-n": "namespace", "-m": "mode"}
    words, switches = [], set()
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--":
            words.extend(args)
            break
        if arg in aliases or (arg.startswith("--") and arg[2:].split("=")[0] in flags):
            key = aliases.get(arg) or arg[2:].split("=")[0]
            flags[key] = arg.split("=", 1)[1] if "=" in arg else (args.pop(0) if args else die("flag needs a value"))
        elif arg.startswith("-"):
            switches.add(arg)
        else:
            words.append(arg)
    return words, switches, flags


def address(flags):
    if flags["server-address"]:
        return flags["server-address"]
    try:
        with open(INFO) as handle:
            return json.load(handle)["server_address"]
    except (OSError, ValueError, KeyError):
        return "localhost:54321"


def call(flags, request):
    addr = address(flags)
    try:
        if addr.startswith("unix://"):
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            target = addr[len("unix://"):]
        else:
            host, port = addr.rsplit(":", 1)
            conn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            target = (host or "127.0.0.1", int(port))
        conn.settimeout(float(flags["timeout"].rstrip("s")))
        conn.connect(target)
        conn.sendall((json.dumps(request) + "\n").encode())
        data = b""
        while not data.endswith(b"\n"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        conn.close()
    except (OSError, ValueError) as exc:
        die('failed to connect to server %s: connection error: desc = "transport: Error while dialing: %s"'
            % (addr, exc))
    reply = json.loads(data.decode())
    if not reply.pop("ok"):
        die(reply["error"])
    return reply


def print_list(policies):
    columns = ["ID", "NAME", "STATE", "FILTERID", "NAMESPACE", "SENSORS", "KERNELMEMORY", "MODE",
               "NPOST", "NENFORCE", "NMONITOR"]
    rows = [columns]
    for p in policies:
        rows.append([p.get("id", "0"), p["name"], p.get("state", "").replace("TP_STATE_", "").lower(), "0",
                     p.get("namespace", "(global)"), ",".join(p.get("sensors", [])), "-",
                     p.get("mode", "").replace("TP_MODE_", "").lower(), "0", "0", "0"])
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


def tracingpolicy(words, flags):
    if not words:
        die("tracingpolicy needs a subcommand: add, delete, enable, disable, list, set-mode")
    sub, rest = words[0], words[1:]
    if sub == "add":
        if len(rest) != 1:
            die("add needs exactly one policy file")
        try:
            with open(rest[0]) as handle:
                text = handle.read()
        except OSError as exc:
            die("failed to read yaml file %s: %s" % (rest[0], exc))
        if flags["mode"] not in (None, "enforce", "monitor"):
            die('invalid mode "%s": use enforce or monitor' % flags["mode"])
        call(flags, {"op": "add", "yaml": text, "mode": flags["mode"]})
    elif sub in ("delete", "enable", "disable") and len(rest) == 1:
        call(flags, {"op": sub, "name": rest[0], "namespace": flags["namespace"]})
    elif sub == "set-mode" and len(rest) == 2 and rest[1] in ("enforce", "monitor"):
        call(flags, {"op": "set-mode", "name": rest[0], "mode": rest[1], "namespace": flags["namespace"]})
    elif sub == "list" and not rest:
        policies = call(flags, {"op": "list"})["policies"]
        if flags["output"] == "json":
            print(json.dumps({"policies": policies}))
        else:
            print_list(policies)
    else:
        die("invalid arguments for tracingpolicy %s" % sub)


def main():
    words, switches, flags = parse(sys.argv[1:])
    if not words:
        die(USAGE)
    if words[0] == "version":
        print("CLI version: v" + VERSION)
        if switches & {"--server", "-s"}:
            print("Server version: " + call(flags, {"op": "version"})["version"])
    elif words[0] in ("tracingpolicy", "tp"):
        tracingpolicy(words[1:], flags)
    else:
        die('unknown command "%s" for "tetra"' % words[0])


if __name__ == "__main__":
    main()
