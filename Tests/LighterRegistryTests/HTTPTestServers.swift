#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport

/// A small HTTP/1.1 server on 127.0.0.1 (python3) for the client's framing and redirects:
/// `/chunked` (a chunked body with a chunk extension), `/close` (a body ended by closing),
/// `/length` (Content-Length, keep-alive), `/echo` (answers with the Authorization and Host it got),
/// `/to-other` (307 to `/echo` on `localhost`, another host), `/to-same` (302 to `/echo`, same host),
/// `/loop` (redirects to itself).
final class HTTPTestServer: @unchecked Sendable {
    let dir = TestDirectory("lighter-http")
    let port = freePort()
    let process: Background
    var base: String { "http://127.0.0.1:\(port)" }

    init() throws {
        try FileSystem.writeDurably(Array(Self.script.utf8), to: dir.sub("server.py"))
        process = Background(["python3", dir.sub("server.py"), String(port)], log: dir.sub("server.log"))
        precondition(waitForPort(port), "http test server did not start: \((try? FileSystem.readString(dir.sub("server.log.err"))) ?? "")")
    }

    /// The chunked body: 3 small chunks and one of 100000 bytes.
    static let chunkedBody: [UInt8] = Array("hello chunked world".utf8) + (0..<100_000).map { UInt8($0 % 251) }

    static let script = #"""
    import sys
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    port = int(sys.argv[1])
    big = bytes(i % 251 for i in range(100000))
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *a): pass
        def answer(self, status, body, headers=()):
            self.send_response(status)
            for k, v in headers: self.send_header(k, v)
            self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
        def do_GET(self):
            if self.path == "/chunked":
                self.send_response(200); self.send_header("Transfer-Encoding", "chunked"); self.end_headers()
                for part in [b"hello ", b"chunked ", b"world", big]:
                    self.wfile.write(b"%x;ext=1\r\n" % len(part) + part + b"\r\n")
                self.wfile.write(b"0\r\nX-Trailer: yes\r\n\r\n")
            elif self.path == "/close":
                self.close_connection = True
                self.send_response(200); self.send_header("Connection", "close"); self.end_headers()
                self.wfile.write(b"until the end")
            elif self.path == "/length":
                self.answer(200, b"twelve bytes")
            elif self.path == "/echo":
                body = ("auth=%s host=%s" % (self.headers.get("Authorization", "none"), self.headers.get("Host"))).encode()
                self.answer(200, body)
            elif self.path == "/to-other":
                self.answer(307, b"", [("Location", "http://localhost:%d/echo" % port)])
            elif self.path == "/to-same":
                self.answer(302, b"", [("Location", "/echo")])
            elif self.path == "/loop":
                self.answer(302, b"", [("Location", "/loop")])
            else:
                self.answer(404, b"no such path")
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
    """#
}

/// A DNS server on 127.0.0.1 (python3, UDP): `registry.test` has A 10.1.2.3 and AAAA fd00::1,
/// `alias.test` is a CNAME to it (the answer holds both records, with compression pointers),
/// `missing.test` is NXDOMAIN, `silent.test` gets no answer at all. It logs every name asked.
final class TestDNSServer: @unchecked Sendable {
    let dir = TestDirectory("lighter-dns")
    let port = freePort()
    let process: Background
    var asked: [String] { ((try? FileSystem.readString(dir.sub("asked.log"))) ?? "").split(separator: "\n").map(String.init) }

    init() throws {
        try FileSystem.writeDurably(Array(Self.script.utf8), to: dir.sub("dns.py"))
        process = Background(["python3", dir.sub("dns.py"), String(port), dir.sub("asked.log"), dir.sub("ready")], log: dir.sub("dns.log"))
        var ready = false
        for _ in 0..<200 where !ready {
            ready = FileSystem.exists(dir.sub("ready"))
            if !ready { usleep(50_000) }
        }
        precondition(ready, "dns test server did not start: \((try? FileSystem.readString(dir.sub("dns.log.err"))) ?? "")")
    }

    static let script = #"""
    import socket, struct, sys
    port, log, ready = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", port))
    open(ready, "w").close()
    def name_at(data, i):
        labels = []
        while data[i]: labels.append(data[i + 1:i + 1 + data[i]].decode()); i += 1 + data[i]
        return ".".join(labels), i + 1
    def encode(name): return b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
    while True:
        data, peer = s.recvfrom(512)
        qid, = struct.unpack("!H", data[:2])
        name, end = name_at(data, 12)
        qtype, = struct.unpack("!H", data[end:end + 2])
        with open(log, "a") as f: f.write(name + "\n")
        question = data[12:end + 4]
        if name == "silent.test": continue
        rcode, answers = 0, []
        target = name
        if name == "alias.test":
            answers.append(b"\xc0\x0c" + struct.pack("!HHIH", 5, 1, 60, len(encode("registry.test"))) + encode("registry.test"))
            target = "registry.test"
        if target == "registry.test":
            pointer = b"\xc0\x0c" if name == target else encode(target)
            if qtype == 1: answers.append(pointer + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([10, 1, 2, 3]))
            if qtype == 28: answers.append(pointer + struct.pack("!HHIH", 28, 1, 60, 16) + bytes([0xfd] + [0] * 14 + [1]))
        elif name != "alias.test":
            rcode = 3
        header = struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, len(answers), 0, 0)
        s.sendto(header + question + b"".join(answers), peer)
    """#
}

/// `openssl s_server -www` on 127.0.0.1 with a certificate from `ca` for `names` (e.g. `DNS:wrong.example`).
final class TLSTestServer: @unchecked Sendable {
    let dir = TestDirectory("lighter-tls")
    let port = freePort()
    let process: Background

    init(ca: TestCA, subjectAltNames: String) {
        let script = """
            set -e
            cd \(dir.path)
            openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=wrong.example 2>/dev/null
            printf 'subjectAltName=\(subjectAltNames)\\nbasicConstraints=CA:FALSE\\n' > ext.cnf
            openssl x509 -req -in server.csr -CA \(ca.caCertificate) -CAkey \(ca.dir.sub("ca.key")) -CAcreateserial -out server.crt -days 2 -extfile ext.cnf 2>/dev/null
            """
        let made = Run.sh(script)
        precondition(made.status == 0, "openssl failed: \(made.stderr)")
        process = Background(["openssl", "s_server", "-quiet", "-www", "-accept", "127.0.0.1:\(port)",
                              "-cert", dir.sub("server.crt"), "-key", dir.sub("server.key")], log: dir.sub("server.log"))
        precondition(waitForPort(port), "openssl s_server did not start: \((try? FileSystem.readString(dir.sub("server.log.err"))) ?? "")")
    }
}
