"""Runs the conformance matrix: every scenario x venv x client, with the real clients, against openssl s_server.

Started by run-matrix.sh (which builds the fixtures first). Writes into --out:
  real.tsv       scenario python venv client version verifies error reason verify_command
                 (verifies: yes/no; reason: OpenSSL's verify reason when the failure is one; verify_command: the
                 exact `trustgate verify` invocation for the cell, in the same scenario, `$TRUSTGATE` the binary)
  predicted.tsv  with --trustgate BIN: what `trustgate verify` said for the same cells (scenario python venv client
                 version verifies error status), plus verify-<n>.json, its raw output per scenario x venv;
                 --predict-only reruns only this part from an existing real.tsv
  servers.tsv    root kind, port, served chain
Exit status: 0; with --trustgate, 1 when a cell disagrees (listed on stderr); 2 for bad usage; 3 when the
fixtures or s_server are unusable here.
"""

import argparse
import concurrent.futures
import json
import os
import shlex
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WITH_SCENARIO = os.path.join(HERE, "with-scenario.sh")
PROBE = os.path.join(HERE, "probe.py")
PYTHON_CLIENTS = ["httpx", "requests", "urllib3", "python-ssl", "pip", "botocore", "aiohttp", "truststore",
                  "shotgun-api3"]
# The old venv differs from the new one only in these clients' versions (venvs.txt); python-ssl and shotgun-api3
# would repeat the new venv's cells, so they run there only.
CLIENTS_BY_KIND = {"old": ["httpx", "requests", "urllib3", "pip"]}
SYSTEM_CLIENTS = ["curl", "openssl", "git", "go", "node"]
JOB_TIMEOUT = 900  # seconds for one scenario x venv (every client of it, each bounded by the probe)
REAL_COLUMNS = ["scenario", "python", "venv", "client", "version", "verifies", "error", "reason", "verify_command"]
PREDICTED_COLUMNS = ["scenario", "python", "venv", "client", "version", "verifies", "error", "status"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Servers:
    """One `openssl s_server -WWW` per root kind on 127.0.0.1, serving leaf + intermediate, stopped on exit."""

    def __init__(self, pki, www):
        self.pki, self.www, self.procs, self.ports = pki, www, [], {}

    def __enter__(self):
        os.makedirs(self.www, exist_ok=True)
        with open(os.path.join(self.www, "ok.txt"), "w") as out:
            out.write("ok\n")
        for kind in ("ku", "noku", "noski"):
            for _attempt in range(5):
                port = free_port()
                # `timeout` bounds the server's life even if this process dies without cleaning up.
                argv = ["timeout", "7200", "openssl", "s_server", "-accept", "127.0.0.1:%d" % port, "-WWW",
                        "-quiet", "-cert", os.path.join(self.pki, "leaf-%s.pem" % kind),
                        "-key", os.path.join(self.pki, "leaf-%s.key" % kind),
                        "-cert_chain", os.path.join(self.pki, "int-%s.pem" % kind)]
                proc = subprocess.Popen(argv, cwd=self.www, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
                if self._wait(port, proc):
                    self.procs.append(proc)
                    self.ports[kind] = port
                    break
                proc.kill()
                proc.wait()
            else:
                self.__exit__(None, None, None)
                raise RuntimeError("openssl s_server did not start on 127.0.0.1 for root kind %s" % kind)
        return self

    @staticmethod
    def _wait(port, proc):
        deadline = time.time() + 10
        while time.time() < deadline:
            if proc.poll() is not None:
                return False
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.05)
        return False

    def __exit__(self, *_):
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def url(self, kind):
        return "https://localhost:%d/ok.txt" % self.ports[kind]


def scenarios():
    out = subprocess.run([WITH_SCENARIO, "--list"], capture_output=True, text=True, check=True).stdout
    return [tuple(line.split("\t")) for line in out.splitlines() if line]


def venvs(cache):
    rows = []
    with open(os.path.join(cache, "pythons.tsv")) as inp:
        for line in inp:
            minor, kind, path, _interpreter = line.rstrip("\n").split("\t")
            rows.append({"python": minor, "venv": kind, "path": path})
    return rows


def clean(text):
    return (text or "").replace("\t", " ").replace("\n", " ").strip()


def run_job(job, servers, pki):
    """Runs the probe for one scenario x venv (or the system clients) inside the scenario."""
    prefix = [WITH_SCENARIO] + (["--venv", job["path"]] if job["path"] else []) + [job["scenario"], "--"]
    python = job["path"] + "/bin/python" if job["path"] else job["python_for_system"]
    argv = prefix + [python, PROBE, "--url", servers.url(job["server"]), "--clients", ",".join(job["clients"])]
    started = time.time()
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=JOB_TIMEOUT)
        lines, problem = done.stdout.splitlines(), None
        if done.returncode == 3:
            problem = "skipped: " + clean(done.stderr)
        elif done.returncode != 0:
            problem = "probe exited %d: %s" % (done.returncode, clean(done.stderr)[-300:])
    except subprocess.TimeoutExpired:
        lines, problem = [], "probe timed out after %ds" % JOB_TIMEOUT
    results = []
    for line in lines:
        try:
            results.append(json.loads(line))
        except ValueError:
            pass
    verify = ["$WITH_SCENARIO"] + prefix[1:] + ["$TRUSTGATE", "verify", "--chain",
                                                os.path.join(pki, "chain-%s.pem" % job["server"]),
                                                "--host", "localhost", "--format", "json"]
    # The cached real column outlives the checkout that made it: the command names the scripts and the binary through
    # variables that run_verify sets, never by this checkout's paths.
    placeholders = {"$TRUSTGATE": '"${TRUSTGATE:-trustgate}"', "$WITH_SCENARIO": '"$WITH_SCENARIO"'}
    command = " ".join(placeholders.get(part, shlex.quote(part)) for part in verify)
    return dict(job, results=results, problem=problem, verify_command=command, seconds=time.time() - started)


def run_verify(job):
    started = time.time()
    try:
        done = subprocess.run(["bash", "-c", job["verify_command"]], capture_output=True, text=True,
                              timeout=JOB_TIMEOUT,
                              env=dict(os.environ, TRUSTGATE=job["trustgate"], WITH_SCENARIO=WITH_SCENARIO))
        status, stdout, stderr = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired:
        status, stdout, stderr = -1, "", "timed out after %ds" % JOB_TIMEOUT
    try:
        parsed = json.loads(stdout)
        if not isinstance(parsed, list):
            raise ValueError("not a list")
    except ValueError:
        parsed = None
    return dict(job, verify_status=status, verify_stdout=stdout, verify_stderr=stderr, verify_parsed=parsed,
                verify_seconds=time.time() - started)


def yes_no(value):
    return {True: "yes", False: "no"}.get(value, "")


def main():
    parser = argparse.ArgumentParser(description="Runs the conformance matrix (see the module docstring).")
    parser.add_argument("--cache", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--trustgate", help="a trustgate binary with `verify`: also fills predicted.tsv")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--scenarios", help="comma-separated subset")
    parser.add_argument("--pythons", help="comma-separated subset of 3.11,3.12,3.13")
    parser.add_argument("--predict-only", action="store_true",
                        help="reuse --out's real.tsv: only run `trustgate verify` (needs --trustgate)")
    args = parser.parse_args()
    if args.predict_only:
        if not args.trustgate:
            print("matrix.py: --predict-only needs --trustgate BIN", file=sys.stderr)
            return 2
        return predict(args)

    pki = os.path.join(args.cache, "pki")
    all_scenarios = scenarios()
    chosen = args.scenarios.split(",") if args.scenarios else [name for name, _, _ in all_scenarios]
    unknown = set(chosen) - {name for name, _, _ in all_scenarios}
    if unknown:
        print("matrix.py: unknown scenarios %s (see with-scenario.sh --list)" % ", ".join(sorted(unknown)),
              file=sys.stderr)
        return 2
    environments = [v for v in venvs(args.cache) if not args.pythons or v["python"] in args.pythons.split(",")]
    if not environments:
        print("matrix.py: no venv in %s/pythons.tsv" % args.cache, file=sys.stderr)
        return 3
    os.makedirs(args.out, exist_ok=True)

    jobs = []
    for name, server, _description in all_scenarios:
        if name not in chosen:
            continue
        jobs.append({"scenario": name, "server": server, "python": "-", "venv": "-", "path": "",
                     "python_for_system": environments[0]["path"] + "/bin/python", "clients": SYSTEM_CLIENTS})
        for env in environments:
            jobs.append({"scenario": name, "server": server, "python": env["python"], "venv": env["venv"],
                         "path": env["path"], "clients": CLIENTS_BY_KIND.get(env["venv"], PYTHON_CLIENTS)})

    started = time.time()
    try:
        servers_cm = Servers(pki, os.path.join(args.out, "www"))
        with servers_cm as servers:
            with open(os.path.join(args.out, "servers.tsv"), "w") as out:
                for kind, port in sorted(servers.ports.items()):
                    out.write("%s\t%d\t%s\n" % (kind, port, os.path.join(pki, "chain-%s.pem" % kind)))
            with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
                done = list(pool.map(lambda job: run_job(job, servers, pki), jobs))
    except RuntimeError as error:
        print("matrix.py: %s" % error, file=sys.stderr)
        return 3
    real_seconds = time.time() - started

    problems = []
    cells = []
    with open(os.path.join(args.out, "real.tsv"), "w") as out:
        out.write("\t".join(REAL_COLUMNS) + "\n")
        for job in done:
            if job["problem"]:
                problems.append("%s %s-%s: %s" % (job["scenario"], job["python"], job["venv"], job["problem"]))
            for result in job["results"]:
                if result.get("verifies") is None:
                    if result.get("error") != "not installed":
                        problems.append("%s %s-%s %s: %s" % (job["scenario"], job["python"], job["venv"],
                                                             result["client"], result.get("error")))
                    continue
                cell = [job["scenario"], job["python"], job["venv"], result["client"], result.get("version") or "",
                        yes_no(result["verifies"]), clean(result.get("error")), clean(result.get("reason")),
                        job["verify_command"]]
                cells.append(cell)
                out.write("\t".join(cell) + "\n")
    with open(os.path.join(args.out, "timings.tsv"), "w") as out:
        for job in done:
            out.write("%s\t%s\t%s\t%.1f\n" % (job["scenario"], job["python"], job["venv"], job["seconds"]))
    with open(os.path.join(args.out, "problems.txt"), "w") as out:
        out.write("".join(p + "\n" for p in problems))
    verifying = sum(1 for cell in cells if cell[5] == "yes")
    print("matrix: %d cells, %d verify, %d do not; %d jobs in %.0f s (%d problems, see problems.txt)"
          % (len(cells), verifying, len(cells) - verifying, len(jobs), real_seconds, len(problems)))
    for problem in problems:
        print("  problem: " + problem, file=sys.stderr)

    if not args.trustgate:
        return 0
    return predict(args)


def predict(args):
    """Runs each cell's verify_command from real.tsv (once per scenario x venv), writes predicted.tsv."""
    started = time.time()
    with open(os.path.join(args.out, "real.tsv")) as inp:
        header = inp.readline().rstrip("\n").split("\t")
        cells = [dict(zip(header, line.rstrip("\n").split("\t"))) for line in inp if line.strip()]
    groups = {}
    for cell in cells:
        groups.setdefault(cell["verify_command"], []).append(cell)
    jobs = [{"verify_command": command, "trustgate": os.path.abspath(args.trustgate)} for command in groups]
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        verified = list(pool.map(run_verify, jobs))
    disagreements = []
    with open(os.path.join(args.out, "predicted.tsv"), "w") as out:
        out.write("\t".join(PREDICTED_COLUMNS) + "\n")
        for index, job in enumerate(verified):
            with open(os.path.join(args.out, "verify-%d.json" % index), "w") as raw:
                json.dump({"command": job["verify_command"], "status": job["verify_status"],
                           "stdout": job["verify_stdout"], "stderr": job["verify_stderr"]}, raw, indent=1)
            by_client = {}
            for item in job["verify_parsed"] or []:
                if isinstance(item, dict) and "client" in item:
                    by_client[item["client"]] = item
            for cell in groups[job["verify_command"]]:
                item = by_client.get(cell["client"])
                predicted = item.get("verifies") if item else None
                error = clean(item.get("error")) if item else (
                    "no row for the client (exit %d: %s)" % (job["verify_status"], clean(job["verify_stderr"])[:200]))
                out.write("\t".join([cell["scenario"], cell["python"], cell["venv"], cell["client"],
                                     clean(str(item.get("version") or "")) if item else "", yes_no(predicted),
                                     error, str(job["verify_status"])]) + "\n")
                if yes_no(predicted) != cell["verifies"]:
                    disagreements.append("%s %s-%s %s: real %s (%s), trustgate %s (%s)" % (
                        cell["scenario"], cell["python"], cell["venv"], cell["client"], cell["verifies"],
                        cell["error"] or "-", yes_no(predicted) or "nothing", error or "-"))
    print("trustgate verify: %d of %d cells agree; %d verify calls in %.0f s"
          % (len(cells) - len(disagreements), len(cells), len(jobs), time.time() - started))
    for line in disagreements:
        print("  disagrees: " + line, file=sys.stderr)
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
