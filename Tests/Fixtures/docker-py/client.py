"""docker-py (Debian's python3-docker 5.0.3) against `lighter daemon`, as a Python user writes it.

Run by DaemonClientLibraryTests with /usr/bin/python3 and DOCKER_HOST=unix://…; REGISTRY names a
loopback registry holding REGISTRY/py/busybox:latest, WEB_PORT a free loopback port.
Any failed assertion ends the script with a traceback and a non-zero status.
"""
import os
import time
import urllib.request

import docker


def wait_for(predicate, what, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read()
    except OSError:
        return None


client = docker.from_env(version="auto")
started = int(time.time()) - 1

version = client.version()
assert version["ApiVersion"] == "1.41", version
assert version["MinAPIVersion"] == "1.24", version
assert version["Os"] == "linux", version
assert client.ping() is True

info = client.info()
assert info["OSType"] == "linux", info
assert info["Images"] >= 1, info

tags = [tag for image in client.images.list() for tag in image.tags]
assert "busybox:latest" in tags, tags
busybox = client.images.get("busybox")
assert busybox.id.startswith("sha256:"), busybox.id

# A detached web server: a published port, environment, labels and a named volume.
port = int(os.environ["WEB_PORT"])
web = client.containers.run(
    "busybox",
    ["sh", "-c", "echo started $GREETING; echo from-volume > /data/index.html; exec httpd -f -p 80 -h /data"],
    detach=True,
    name="pyweb",
    ports={"80/tcp": ("127.0.0.1", port)},
    environment={"GREETING": "hello"},
    labels={"app": "pytest"},
    volumes={"pyvol": {"bind": "/data", "mode": "rw"}},
)
assert len(web.id) == 64, web.id
web.reload()
assert web.status == "running", web.status
assert web.name == "pyweb", web.name
assert web.labels == {"app": "pytest"}, web.labels
assert "GREETING=hello" in web.attrs["Config"]["Env"], web.attrs["Config"]["Env"]
assert web.attrs["NetworkSettings"]["Ports"]["80/tcp"][0]["HostPort"] == str(port), web.attrs["NetworkSettings"]["Ports"]
assert web.image.id == busybox.id, web.image.id
assert [m["Name"] for m in web.attrs["Mounts"]] == ["pyvol"], web.attrs["Mounts"]
wait_for(lambda: web.logs() == b"started hello\n", "the web container's log")
assert wait_for(lambda: fetch("http://127.0.0.1:%d/index.html" % port), "the published port") == b"from-volume\n"

result = web.exec_run("cat /data/index.html")
assert result.exit_code == 0 and result.output == b"from-volume\n", result
result = web.exec_run(["sh", "-c", "echo $GREETING-$EXTRA; exit 4"], environment={"EXTRA": "more"})
assert result.exit_code == 4 and result.output == b"hello-more\n", result
assert client.volumes.get("pyvol").name == "pyvol"

listed = client.containers.list(filters={"label": "app=pytest"})
assert [c.name for c in listed] == ["pyweb"], listed
assert client.containers.list(filters={"label": "app=other"}) == []
assert client.containers.list(filters={"status": "exited"}) == []
assert [c.id for c in client.containers.list(filters={"name": "pyweb"})] == [web.id]

# wait() reports the exit code; stop() and remove() as docker-py users call them.
short = client.containers.run("busybox", ["sh", "-c", "echo bye; exit 3"], detach=True, labels={"app": "pytest"})
assert short.wait(timeout=20) == {"StatusCode": 3, "Error": None}
assert short.logs() == b"bye\n"
assert client.containers.run("busybox", ["echo", "attached"], remove=True) == b"attached\n"
exited = client.containers.list(all=True, filters={"status": "exited", "label": "app=pytest"})
assert [c.id for c in exited] == [short.id], exited
short.remove()
# kill() answers once the container stopped: reload() and commit() see it exited at once.
killed = client.containers.run("busybox", ["sleep", "60"], detach=True)
killed.kill()
killed.reload()
assert killed.status == "exited" and killed.attrs["State"]["ExitCode"] == 137, killed.attrs["State"]
snapshot = killed.commit("pykilled", "v1")
assert "pykilled:v1" in snapshot.tags, snapshot.tags
killed.remove()
client.images.remove("pykilled:v1")
web.stop(timeout=1)
web.reload()
assert web.status == "exited", web.status
web.remove(v=False)
assert client.containers.list(all=True) == []
try:
    client.containers.get("pyweb")
    raise AssertionError("pyweb still there")
except docker.errors.NotFound:
    pass
client.volumes.get("pyvol").remove()

# Networks and volumes.
network = client.networks.create("pynet", driver="bridge", labels={"app": "pytest"})
assert network.name == "pynet"
assert [n.id for n in client.networks.list(names=["pynet"])] == [network.id]
network.reload()
assert network.attrs["Driver"] == "bridge" and network.attrs["Labels"] == {"app": "pytest"}, network.attrs
network.remove()
assert client.networks.list(names=["pynet"]) == []
volume = client.volumes.create("pydata", labels={"app": "pytest"})
assert volume.name == "pydata" and volume.attrs["Driver"] == "local", volume.attrs
assert "pydata" in [v.name for v in client.volumes.list(filters={"label": "app=pytest"})]
volume.remove()

# Pull from the loopback registry.
registry = os.environ["REGISTRY"]
pulled = client.images.pull(registry + "/py/busybox", tag="latest")
assert registry + "/py/busybox:latest" in pulled.tags, pulled.tags
assert pulled.id == busybox.id, (pulled.id, busybox.id)
try:
    client.images.pull(registry + "/py/none", tag="latest")
    raise AssertionError("pulled an image the registry does not have")
except docker.errors.APIError:
    pass

# Events of the run above, bounded by `until` so the stream ends.
until = int(time.time()) + 1
time.sleep(1.1)
events = list(client.api.events(since=started, until=until, decode=True))
# Volumes are named by their ID (Docker gives them no name attribute).
actions = [(e["Type"], e["Action"], e["Actor"]["Attributes"].get("name", e["Actor"]["ID"])) for e in events]
for expected in [("container", "create", "pyweb"), ("container", "start", "pyweb"), ("container", "die", "pyweb"),
                 ("container", "destroy", "pyweb"), ("network", "create", "pynet"), ("volume", "create", "pydata")]:
    assert expected in actions, (expected, actions)
filtered = list(client.api.events(since=started, until=until, decode=True, filters={"event": "die", "type": "container"}))
assert filtered and all(e["Action"] == "die" for e in filtered), filtered
print("docker-py ok")
