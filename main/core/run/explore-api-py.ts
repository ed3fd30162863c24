/**
 * The sandbox's API inside its controller: `openstack` and `neutron` typed in the controller's
 * own terminal reach the process that serves the lab (the app, `neutron-lab serve`, or the
 * `neutron-lab shell` the terminal runs in). That process runs RELAY_PY in the controller, as
 * `python3 -c` (no image change). The relay installs the two commands (CLIENT_PY) and listens
 * on a Unix socket of its own in /run/neutron-lab; each call a command makes there goes out on
 * the relay's standard output and comes back on its standard input, one JSON object per line:
 *   out  {"ready": true}, then {"id": 3, "argv": ["network", "list"]}
 *   in   {"id": 3, "code": 0, "out": "…", "err": "…"}
 * The relay exits, removing its socket, when its input closes: the serving process went away.
 * Several may serve at once (the app and a CLI shell): a command asks the newest that answers.
 */

/** Installed as /usr/local/bin/openstack and /usr/local/bin/neutron (the legacy client's verbs). */
export const CLIENT_PY = String.raw`#!/usr/bin/python3 -IS
import glob, json, os, socket, sys

name = os.path.basename(sys.argv[0])
argv = sys.argv[1:] if name == "openstack" else ["neutron"] + sys.argv[1:]
sockets = sorted(glob.glob("/run/neutron-lab/api-*.sock"), key=lambda p: os.stat(p).st_mtime, reverse=True)
for path in sockets:
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        client.connect(path)
    except OSError:
        continue
    client.sendall((json.dumps({"argv": argv}) + "\n").encode())
    data = b""
    while True:
        chunk = client.recv(65536)
        if not chunk:
            break
        data += chunk
    try:
        reply = json.loads(data)
    except ValueError:
        continue
    sys.stdout.write(reply["out"])
    sys.stderr.write(reply["err"])
    sys.exit(reply["code"])
sys.stderr.write(
    name + ": nothing serves this sandbox's API now. Open the controller's terminal from the app,"
    " or use: neutron-lab shell LAB controller. Or run, on the host: neutron-lab " + name + " LAB ...\n"
)
sys.exit(1)
`;

export const RELAY_PY = String.raw`
import json, os, socket, sys, threading

CLIENT = sys.argv[1]
DIR = "/run/neutron-lab"
os.makedirs(DIR, exist_ok=True)
for command in ("openstack", "neutron"):
    path = "/usr/local/bin/" + command
    temporary = path + ".%d" % os.getpid()
    with open(temporary, "w") as f:
        f.write(CLIENT)
    os.chmod(temporary, 0o755)
    os.replace(temporary, path)

address = os.path.join(DIR, "api-%d.sock" % os.getpid())
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(address)
server.listen(16)

write_lock = threading.Lock()
calls = {}
calls_lock = threading.Lock()
next_id = [0]

def say(message):
    with write_lock:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

def serve(connection):
    try:
        data = b""
        while not data.endswith(b"\n"):
            chunk = connection.recv(65536)
            if not chunk or len(data) > 65536:
                return
            data += chunk
        request = json.loads(data)
        done = threading.Event()
        with calls_lock:
            next_id[0] += 1
            call = {"id": next_id[0], "done": done}
            calls[call["id"]] = call
        say({"id": call["id"], "argv": [str(word) for word in request["argv"]]})
        done.wait()
        reply = call["reply"]
        connection.sendall(json.dumps({"code": reply["code"], "out": reply["out"], "err": reply["err"]}).encode())
    except (OSError, ValueError, KeyError):
        pass
    finally:
        connection.close()

def accept():
    while True:
        connection, _ = server.accept()
        threading.Thread(target=serve, args=(connection,), daemon=True).start()

# Ready first: a call accepted at once (the backlog keeps it) is said after it.
say({"ready": True})
threading.Thread(target=accept, daemon=True).start()
for line in sys.stdin:
    try:
        reply = json.loads(line)
    except ValueError:
        continue
    with calls_lock:
        call = calls.pop(reply.get("id"), None)
    if call:
        call["reply"] = reply
        call["done"].set()
try:
    os.unlink(address)
except OSError:
    pass
os._exit(0)
`;
