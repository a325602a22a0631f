#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport

/// A Docker-style token server (python3, RS256 signed with openssl) on 127.0.0.1: grants the
/// scopes asked for to `user`/`password` (Basic), refuses everyone else.
final class TokenServer: @unchecked Sendable {
    let dir = TestDirectory("lighter-token")
    let port = freePort()
    let process: Background
    var realm: String { "http://127.0.0.1:\(port)/token" }
    var certificate: String { dir.sub("token.crt") }

    init(user: String, password: String) throws {
        let made = Run.sh("cd \(dir.path) && openssl req -x509 -newkey rsa:2048 -nodes -keyout token.key -out token.crt -days 2 -subj /CN=lighter-token 2>&1")
        precondition(made.status == 0, "openssl: \(made.stdout)")
        try FileSystem.writeDurably(Array(Self.script.utf8), to: dir.sub("token.py"))
        process = Background(["python3", dir.sub("token.py"), String(port), dir.sub("token.key"), dir.sub("token.crt"), user, password],
                             log: dir.sub("token.log"))
        precondition(waitForPort(port), "token server did not start: \((try? FileSystem.readString(dir.sub("token.log.err"))) ?? "")")
    }

    static let script = #"""
    import base64, json, subprocess, sys, time, urllib.parse
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    port, key, cert, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
    der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"], capture_output=True, check=True).stdout
    def b64url(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a): pass
        def do_GET(self):
            url = urllib.parse.urlparse(self.path)
            query = urllib.parse.parse_qs(url.query)
            expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
            if self.headers.get("Authorization") != expected:
                self.send_response(401); self.send_header("Content-Length", "0"); self.end_headers(); return
            access = []
            for scope in query.get("scope", []):
                kind, _, rest = scope.partition(":")
                name, _, actions = rest.rpartition(":")
                access.append({"type": kind, "name": name, "actions": actions.split(",")})
            now = int(time.time())
            header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(der).decode()]}
            claims = {"iss": "lighter-test-issuer", "sub": user, "aud": query.get("service", [""])[0], "exp": now + 600,
                      "nbf": now - 60, "iat": now, "jti": str(time.time_ns()), "access": access}
            signing = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
            sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing.encode(), capture_output=True, check=True).stdout
            body = json.dumps({"token": signing + "." + b64url(sig)}).encode()
            self.send_response(200); self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
    """#
}

/// A TCP proxy on 127.0.0.1 in front of a registry (python3). Once the bytes sent to clients pass
/// `after`, it either cuts that connection (`cut`) or stops forwarding on it and writes a marker
/// file (`stall`); it does so once, then forwards everything. It logs every Range header it sees.
final class FaultProxy: @unchecked Sendable {
    enum Mode: String { case pass, cut, stall }

    let dir = TestDirectory("lighter-proxy")
    let port = freePort()
    let process: Background
    var host: String { "127.0.0.1:\(port)" }
    var stalledMarker: String { dir.sub("stalled") }

    init(upstreamPort: Int, mode: Mode, after: Int) throws {
        try FileSystem.writeDurably(Array(Self.script.utf8), to: dir.sub("proxy.py"))
        process = Background(["python3", dir.sub("proxy.py"), String(port), String(upstreamPort), mode.rawValue, String(after),
                              dir.sub("ranges.log"), dir.sub("stalled")], log: dir.sub("proxy.log"))
        precondition(waitForPort(port), "proxy did not start: \((try? FileSystem.readString(dir.sub("proxy.log.err"))) ?? "")")
    }

    /// Range headers the clients sent, e.g. `bytes=262144-`.
    var ranges: [String] { logged.filter { !$0.hasPrefix("content-range ") } }

    /// Content-Range headers of chunk uploads, e.g. `0-299999`.
    var contentRanges: [String] { logged.filter { $0.hasPrefix("content-range ") }.map { String($0.dropFirst("content-range ".count)) } }

    private var logged: [String] {
        ((try? FileSystem.readString(dir.sub("ranges.log"))) ?? "").split(separator: "\n").map(String.init)
    }

    static let script = #"""
    import re, socket, sys, threading
    port, upstream, mode, after, ranges, marker = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
    state = {"sent": 0, "fired": mode == "pass"}
    lock = threading.Lock()
    held = []
    def upload(client, server):
        try:
            while True:
                data = client.recv(65536)
                if not data: break
                for m in re.finditer(rb"(?i)\r\n(content-)?range: *([^\r\n]*)", data):
                    with open(ranges, "a") as f: f.write(("content-range " if m.group(1) else "") + m.group(2).decode() + "\n")
                server.sendall(data)
        except OSError: pass
        try: server.shutdown(socket.SHUT_WR)
        except OSError: pass
    def download(client, server):
        try:
            while True:
                data = server.recv(65536)
                if not data: break
                with lock:
                    fire = not state["fired"] and state["sent"] + len(data) > after
                    if fire: state["fired"] = True
                    state["sent"] += len(data)
                if fire:
                    keep = max(0, after - (state["sent"] - len(data)))
                    client.sendall(data[:keep])
                    if mode == "cut":
                        client.shutdown(socket.SHUT_RDWR); client.close(); server.close(); return
                    held.append((client, server))
                    open(marker, "w").close()
                    return
                client.sendall(data)
        except OSError: pass
        try: client.shutdown(socket.SHUT_WR)
        except OSError: pass
    listener = socket.socket(); listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port)); listener.listen(64)
    while True:
        client, _ = listener.accept()
        server = socket.create_connection(("127.0.0.1", upstream))
        threading.Thread(target=upload, args=(client, server), daemon=True).start()
        threading.Thread(target=download, args=(client, server), daemon=True).start()
    """#
}
