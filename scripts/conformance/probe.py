"""Connects to an HTTPS URL the way each real client does by default and says whether it verified.

Run with the interpreter of the venv that holds the clients (`<venv>/bin/python probe.py --url URL --clients a,b`),
inside a scenario (with-scenario.sh). Prints one JSON object per line:
  {"client", "version", "verifies": true|false|null, "error": str|null, "reason": str|null}
`reason` is OpenSSL's verification reason when the failure is one ("unable to get local issuer certificate",
"CA cert does not include key usage extension"); `error` is the short text the client gave (that reason, or the
exception raised before any connection: `FileNotFoundError: …`). `verifies` is null when the client is not
installed or broke for a reason unrelated to trust (then `error` says why); such cells are not part of the matrix.

Every client runs in a forked child (nothing one client imports or patches reaches another) under a time limit.
"""

import argparse
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import urllib.parse

TIMEOUT = 8  # seconds per network call of a client
CHILD_LIMIT = 120  # seconds for a whole client (imports included: slow on a loaded machine); then it is killed

# OpenSSL's verify reason inside the texts Python's ssl module, curl, git and s_client print.
REASON_PATTERNS = [
    re.compile(r"certificate verify failed: (.+?) \(_ssl\.c:\d+\)"),
    re.compile(r"SSL certificate problem: ([^'\"\n]+)"),
    re.compile(r"verify error:num=\d+:([^\n]+)"),
]


def reason_of(text):
    for pattern in REASON_PATTERNS:
        match = pattern.search(text)
        if match:
            return match.group(1).strip().rstrip(".")
    return None


def chain_of(error):
    """The exception, its causes and contexts, and exceptions held in attributes or args (urllib3's
    MaxRetryError.reason, aiohttp's certificate_error, requests' SSLError(MaxRetryError(...)))."""
    seen, todo, out = set(), [error], []
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        out.append(current)
        for name in ("__cause__", "__context__", "reason", "certificate_error", "os_error", "original_error"):
            value = getattr(current, name, None)
            if isinstance(value, BaseException):
                todo.append(value)
        for arg in getattr(current, "args", ()):
            if isinstance(arg, BaseException):
                todo.append(arg)
    return out


def short(error):
    text = "%s: %s" % (type(error).__name__, error)
    return text if len(text) <= 240 else text[:237] + "..."


def classify(error, tls_errors_only=False):
    """(verifies, error, reason) for an exception a client raised.

    A failed verification shows as ssl.SSLCertVerificationError (or its text) somewhere in the chain. An OSError
    with an errno raised before connecting (httpx 0.28's FileNotFoundError / IsADirectoryError when it loads
    SSL_CERT_FILE) or a client's own "no such CA bundle" error is a failure too: the request never verifies.
    With tls_errors_only (clients whose request goes on past the handshake: botocore, shotgun-api3 speak a protocol
    s_server does not), any other error means the handshake, and so verification, succeeded."""
    chain = chain_of(error)
    for item in chain:
        if isinstance(item, ssl.SSLCertVerificationError):
            reason = getattr(item, "verify_message", None) or reason_of(str(item))
            return False, reason or short(item), reason
    for item in chain:
        if isinstance(item, (ConnectionRefusedError, ConnectionResetError, TimeoutError, socket.timeout)):
            return None, "no TLS handshake: " + short(item), None
    text = " | ".join(str(item) for item in chain)
    reason = reason_of(text)
    if reason or "CERTIFICATE_VERIFY_FAILED" in text:
        return False, reason or short(error), reason
    for item in chain:
        if isinstance(item, (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)):
            return False, short(item), None
        if isinstance(item, ssl.SSLError):
            return False, short(item), None
    lowered = text.lower()
    if "ca certificate bundle" in lowered or "ca bundle" in lowered or "cacert" in lowered:
        return False, short(error), None
    if tls_errors_only:
        return True, None, None
    return None, "not a verification error: " + short(error), None


# --------------------------------------------------------------------------------------------- the clients
# Each returns the client's version and raises what the client raises.

def probe_httpx(url):
    import httpx

    httpx.get(url, timeout=TIMEOUT)
    return httpx.__version__


def probe_requests(url):
    import requests

    requests.get(url, timeout=TIMEOUT)
    return requests.__version__


def probe_urllib3(url):
    import urllib3

    urllib3.PoolManager(retries=False, timeout=TIMEOUT).request("GET", url)
    return urllib3.__version__


def probe_python_ssl(url):
    import platform
    import urllib.request

    urllib.request.urlopen(url, timeout=TIMEOUT).read()
    return platform.python_version()


def probe_pip(url):
    """pip's own session, built from its own option parsing (pip.conf `cert`, PIP_CERT, REQUESTS_CA_BUNDLE, the
    truststore default of pip >= 24.2 on Python >= 3.10), as `pip install --index-url URL` builds it."""
    import logging

    import pip
    from pip._internal.commands import create_command

    logging.disable(logging.CRITICAL)
    parts = urllib.parse.urlsplit(url)
    index = "%s://%s/simple/" % (parts.scheme, parts.netloc)
    # `pip index versions` builds its session like `pip download` / `install` (same options, same mixin) and
    # imports far less.
    command = create_command("index")
    options, _ = command.parse_args(["versions", "x", "--index-url", index, "--retries", "0", "--timeout",
                                     str(TIMEOUT)])
    with command.main_context():
        session = command.get_default_session(options)
        session.get(url, timeout=TIMEOUT)
    return pip.__version__


def probe_botocore(url):
    import botocore
    import botocore.config
    import botocore.session

    parts = urllib.parse.urlsplit(url)
    client = botocore.session.get_session().create_client(
        "s3", endpoint_url="%s://%s" % (parts.scheme, parts.netloc), region_name="us-east-1",
        aws_access_key_id="conformance", aws_secret_access_key="conformance",
        config=botocore.config.Config(retries={"total_max_attempts": 1}, connect_timeout=TIMEOUT,
                                      read_timeout=TIMEOUT))
    try:
        client.list_buckets()
    except Exception as error:
        raise _Handshake(botocore.__version__, error)
    return botocore.__version__


def probe_aiohttp(url):
    import asyncio

    import aiohttp

    async def main():
        async with aiohttp.ClientSession() as session:
            async with session.get(url, timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as response:
                await response.read()

    asyncio.run(main())
    return aiohttp.__version__


def probe_truststore(url):
    import socket

    import truststore

    parts = urllib.parse.urlsplit(url)
    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    with socket.create_connection((parts.hostname, parts.port), timeout=TIMEOUT) as sock:
        with context.wrap_socket(sock, server_hostname=parts.hostname):
            pass
    return truststore.__version__


def probe_shotgun_api3(url):
    """The connection shotgun_api3.Shotgun makes for its API calls: its vendored httplib2 `Http` with the CA file
    `_get_certs_file` picked at construction (SHOTGUN_API_CACERTS, else its bundled certifi). A GET on it rather
    than `connect=True`: that POSTs to /api3/json, which s_server -WWW never answers (it holds the server)."""
    import shotgun_api3

    parts = urllib.parse.urlsplit(url)
    shotgun = shotgun_api3.Shotgun("%s://%s" % (parts.scheme, parts.netloc), script_name="conformance",
                                   api_key="conformance", connect=False)
    try:
        shotgun._get_connection().request(url, "GET")
    except Exception as error:
        raise _Handshake(shotgun_api3.__version__, error)
    return shotgun_api3.__version__


class _Handshake(Exception):
    """A client whose request continues past TLS: the error is judged with tls_errors_only."""

    def __init__(self, version, error):
        super().__init__(str(error))
        self.version = version
        self.error = error


# ------------------------------------------------------------------------------------------ system clients

def _run(argv):
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=TIMEOUT + 2)
    except FileNotFoundError:
        return None, ""
    return done.returncode, done.stdout + done.stderr


def _tool_version(argv, pattern):
    status, text = _run(argv)
    match = re.search(pattern, text or "")
    return match.group(1) if match else None


def probe_curl(url):
    version = _tool_version(["curl", "--version"], r"curl (\S+)")
    if version is None:
        return None, None, "curl not installed", None
    status, text = _run(["curl", "-sS", "-o", "/dev/null", "--max-time", str(TIMEOUT), url])
    if status == 0:
        return version, True, None, None
    line = next((l for l in text.splitlines() if l.startswith("curl:")), "curl exited %d" % status)
    return version, False, line, reason_of(text)


def probe_openssl(url):
    version = _tool_version(["openssl", "version"], r"OpenSSL (\S+)")
    if version is None:
        return None, None, "openssl not installed", None
    parts = urllib.parse.urlsplit(url)
    status, text = _run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % parts.port, "-servername",
                         parts.hostname, "-verify_hostname", parts.hostname, "-verify_return_error", "-brief"])
    reason = reason_of(text)
    if status == 0 and reason is None:
        return version, True, None, None
    return version, False, reason or text.strip().splitlines()[-1], reason


def probe_git(url):
    version = _tool_version(["git", "--version"], r"git version (\S+)")
    if version is None:
        return None, None, "git not installed", None
    status, text = _run(["git", "ls-remote", url.rsplit("/", 1)[0] + "/repo.git"])
    if status == 0:
        return version, True, None, None
    reason = reason_of(text)
    tls = reason or re.search(r"SSL|certificate|CAfile|CApath", text)
    if tls:
        line = next((l for l in text.splitlines() if "fatal" in l), text.strip())
        return version, False, reason or line, reason
    return version, True, None, None  # TLS passed; s_server is no git server


def probe_go(url):
    """The go command itself: `go mod download` through a GOPROXY on the server (crypto/x509's system roots)."""
    version = _tool_version(["go", "version"], r"go version go(\S+)")
    if version is None:
        return None, None, "go not installed", None
    import tempfile

    parts = urllib.parse.urlsplit(url)
    work = tempfile.mkdtemp(prefix="go-probe-")
    os.makedirs(work + "/module")
    with open(work + "/module/go.mod", "w") as out:
        out.write("module probe\n\ngo 1.19\n")
    env = dict(os.environ, GOPATH=work + "/gopath", GOCACHE=work + "/cache", GOSUMDB="off", GOFLAGS="-mod=mod",
               GOTOOLCHAIN="local", GOPROXY="https://%s:%d" % (parts.hostname, parts.port))
    try:
        done = subprocess.run(["go", "mod", "download", "-json", "example.com/probe@v1.0.0"], cwd=work + "/module",
                              env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=TIMEOUT + 20)
        text = done.stdout + done.stderr
    finally:
        subprocess.run(["chmod", "-R", "u+w", work], capture_output=True)
        subprocess.run(["rm", "-rf", work], capture_output=True)
    match = re.search(r"(x509: [^\"\n]+|tls: [^\"\n]+)", text)
    if match:
        return version, False, match.group(1), None
    return version, True, None, None  # TLS passed; s_server is no module proxy


NODE_PROBE = """
const https = require('https');
https.get(process.argv[1], (res) => { console.log('verified ' + res.statusCode); process.exit(0); })
  .on('error', (e) => { console.log('error ' + e.code + ': ' + e.message); process.exit(1); });
"""


def probe_node(url):
    """node's https.get with the environment's NODE_OPTIONS (the scenarios set --use-openssl-ca: OpenSSL's store,
    SSL_CERT_FILE and SSL_CERT_DIR) and NODE_EXTRA_CA_CERTS."""
    version = _tool_version(["node", "--version"], r"v(\S+)")
    if version is None:
        return None, None, "node not installed", None
    status, text = _run(["node", "-e", NODE_PROBE, url])
    if status == 0 and "verified" in text:
        return version, True, None, None
    line = next((l for l in text.splitlines() if l.startswith("error ") or l.startswith("node:")), text.strip())
    return version, False, line, reason_of(text)


SYSTEM = {"curl": probe_curl, "openssl": probe_openssl, "git": probe_git, "go": probe_go, "node": probe_node}
PYTHON = {
    "httpx": probe_httpx, "requests": probe_requests, "urllib3": probe_urllib3, "python-ssl": probe_python_ssl,
    "pip": probe_pip, "botocore": probe_botocore, "aiohttp": probe_aiohttp, "truststore": probe_truststore,
    "shotgun-api3": probe_shotgun_api3,
}
MODULES = {"python-ssl": "ssl", "shotgun-api3": "shotgun_api3"}


def run_one(client, url):
    if client in SYSTEM:
        version, verifies, error, reason = SYSTEM[client](url)
        return {"client": client, "version": version, "verifies": verifies, "error": error, "reason": reason}
    import importlib.util

    module = MODULES.get(client, client)
    if importlib.util.find_spec(module) is None:
        return {"client": client, "version": None, "verifies": None, "error": "not installed", "reason": None}
    version = None
    try:
        version = PYTHON[client](url)
        verifies, error, reason = True, None, None
    except _Handshake as wrapped:
        version = wrapped.version
        verifies, error, reason = classify(wrapped.error, tls_errors_only=True)
    except BaseException as raised:  # noqa: B036 - the child reports whatever the client raised
        verifies, error, reason = classify(raised)
    if version is None:
        version = _installed_version(client)
    return {"client": client, "version": version, "verifies": verifies, "error": error, "reason": reason}


def _installed_version(client):
    import importlib.metadata
    import platform

    if client == "python-ssl":
        return platform.python_version()
    try:
        return importlib.metadata.version(client)
    except importlib.metadata.PackageNotFoundError:
        return None


def in_child(client, url):
    """Runs one client in a forked child, bounded in time; returns its JSON object."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        signal.alarm(CHILD_LIMIT)
        try:
            result = run_one(client, url)
        except BaseException as error:  # noqa: B036
            result = {"client": client, "version": None, "verifies": None, "error": "probe: " + short(error),
                      "reason": None}
        with os.fdopen(write_end, "w") as out:
            json.dump(result, out)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as inp:
        text = inp.read()
    _, status = os.waitpid(pid, 0)
    if not text:
        how = "timed out" if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGALRM else "died"
        # No verdict: a killed client is a problem of the run, not a cell.
        return {"client": client, "version": None, "verifies": None,
                "error": "probe: the client %s (status %d)" % (how, status), "reason": None}
    return json.loads(text)


def main():
    # Standard modules every client loads, imported once before the children fork (they hold no trust state).
    import asyncio  # noqa: F401
    import email.parser  # noqa: F401
    import http.client  # noqa: F401
    import logging  # noqa: F401
    import urllib.request  # noqa: F401

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True, help="https://localhost:PORT/ok.txt")
    parser.add_argument("--clients", required=True, help="comma-separated client names")
    args = parser.parse_args()
    for client in args.clients.split(","):
        if client not in SYSTEM and client not in PYTHON:
            print("probe.py: unknown client %r; give some of: %s" % (client, ", ".join([*PYTHON, *SYSTEM])),
                  file=sys.stderr)
            return 2
    for client in args.clients.split(","):
        print(json.dumps(in_child(client, args.url)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
