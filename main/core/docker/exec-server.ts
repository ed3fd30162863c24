/**
 * The command server a node runs for one client (exec-channel.ts), in the node image's Python,
 * handed over as `python3 -c` so that no image change is needed.
 *
 * It first says {"ready": true}. Requests then arrive on standard input, one JSON object per line:
 *   {"id": 7, "argv": ["ovs-ofctl", "dump-flows", "br-int"], "stdin": "<base64>"?, "env": {…}?, "cwd": "/"?}
 *   {"cancel": 7}
 * and each finished command is answered on standard output, one line each, in any order:
 *   {"id": 7, "code": 0, "out": "<base64>", "err": "<base64>"}
 *
 * A command runs as `docker exec` would run it (the container's environment plus `env`, no
 * terminal, standard input empty unless given) but costs a fork instead of an engine round trip
 * and a runc start. It gets its own session, so a cancel (the caller's deadline) kills it and
 * everything it started. A command that leaves a daemon holding its output open (`dnsmasq &`)
 * is answered once it has exited and its pipes hold nothing more, as `docker exec` answers.
 * The server exits when its input closes (its client went away); commands still running go on.
 */
export const EXEC_SERVER_PY = String.raw`
import base64, json, os, selectors, signal, subprocess, sys, threading

write_lock = threading.Lock()
running = {}

def answer(message):
    line = (json.dumps(message) + "\n").encode()
    with write_lock:
        try:
            sys.stdout.buffer.write(line)
            sys.stdout.buffer.flush()
        except OSError:
            pass

def feed(pipe, data):
    try:
        pipe.write(data)
    except OSError:
        pass
    finally:
        try:
            pipe.close()
        except OSError:
            pass

def failed(rid, code, message):
    answer({"id": rid, "code": code, "out": "", "err": base64.b64encode((message + "\n").encode()).decode()})

def run(request):
    rid = request["id"]
    env = dict(os.environ)
    env.update(request.get("env") or {})
    data = request.get("stdin")
    try:
        proc = subprocess.Popen(
            request["argv"],
            stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=request.get("cwd") or None,
            start_new_session=True,
        )
    except OSError as error:
        # As a shell says it: 127 not found, 126 found but not started (no permission, no free pid).
        failed(rid, 127 if isinstance(error, FileNotFoundError) else 126, "exec: %s: %s" % (request["argv"][0], error.strerror))
        return
    running[rid] = proc
    if data is not None:
        threading.Thread(target=feed, args=(proc.stdin, base64.b64decode(data)), daemon=True).start()
    out, err = bytearray(), bytearray()
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ, out)
    sel.register(proc.stderr, selectors.EVENT_READ, err)
    open_pipes = 2
    while open_pipes:
        # Asked before looking at the pipes: all the command wrote before it exited is in them now.
        exited = proc.poll() is not None
        ready = sel.select(timeout=0 if exited else 0.05)
        for key, _ in ready:
            chunk = os.read(key.fd, 65536)
            if chunk:
                key.data.extend(chunk)
            else:
                sel.unregister(key.fileobj)
                open_pipes -= 1
        # Exited, and nothing left to read: whatever still holds the pipes is a daemon it started.
        if exited and not ready:
            break
    sel.close()
    proc.stdout.close()
    proc.stderr.close()
    code = proc.wait()
    running.pop(rid, None)
    answer({
        "id": rid,
        "code": 128 - code if code < 0 else code,
        "out": base64.b64encode(bytes(out)).decode(),
        "err": base64.b64encode(bytes(err)).decode(),
    })

def cancel(rid):
    proc = running.get(rid)
    if proc is not None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass

answer({"ready": True})
for line in sys.stdin.buffer:
    request = json.loads(line)
    if "cancel" in request:
        cancel(request["cancel"])
    else:
        try:
            threading.Thread(target=run, args=(request,), daemon=True).start()
        except RuntimeError as error:  # no thread to be had (every pid taken): this one fails, the server lives
            failed(request["id"], 126, "cannot start: %s" % error)
`;
