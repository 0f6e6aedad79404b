"""Real storage servers on 127.0.0.1 for the tests: moto's standalone S3 server, OpenSSH's sshd
serving SFTP only, a stdlib https server, and a TCP proxy that breaks a transfer on purpose.

- `running_moto(folder, check_credentials=...)`: `python -m moto.server` on a free port. With
  moto's IAM checks on, the first three requests (unauthenticated) create a user, its policy and
  its access key; from then on every request must be signed with that key, so a wrong secret is
  refused as by S3. Moto checks only the Authorization header, and answers 500 to a presigned
  URL then: presigned links are opened on a server with the checks off.
- `running_sshd(folder)`: Debian's `/usr/sbin/sshd` as the current user, on a free port, with a
  host key and a user key made here, public keys only, and `ForceCommand internal-sftp`: a
  non-login SFTP subsystem.
- `running_https(files, folder, ...)`: `http.server` behind `ssl` with a certificate signed by a
  CA made here (a client process trusts it through SSL_CERT_FILE), files under `files`, HTTP
  basic authentication (a client finds it in ~/.netrc), and the statuses a test sets for some
  paths (`statuses["/broken.ods"] = 503`).
- `BreakingProxy`: forwards a TCP connection and, once armed, closes it (or stops forwarding)
  after a number of bytes from the server: a server that stops mid-download, or hangs.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import getpass
import http.server
import ipaddress
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.utils.processes import stop_process_group

HOST = "127.0.0.1"
BUCKET = "schedcu-storage"
REGION = "us-east-1"
SSHD = Path("/usr/sbin/sshd")
START_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen | None, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), 0.2):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answers on {HOST}:{port}: {log.read_text(errors='replace')}")


@contextlib.contextmanager
def _process(command: list[str], port: int, log: Path, env: dict[str, str]) -> Iterator[None]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    try:
        _wait_for_port(port, process, log)
        yield
    finally:
        stop_process_group(process, timeout=10)


@dataclass(frozen=True)
class S3Server:
    """moto's server: its endpoint, the bucket made for the session and a key allowed to use it.

    `environment()` is what a worker needs to reach it (the standard AWS variables, which
    s3fs's botocore reads)."""

    endpoint: str
    bucket: str
    access_key: str
    secret_key: str

    def environment(self, secret_key: str | None = None) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": secret_key or self.secret_key,
            "AWS_ENDPOINT_URL_S3": self.endpoint,
            "AWS_DEFAULT_REGION": REGION,
        }

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
        )

    def url(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"


@contextlib.contextmanager
def running_moto(folder: Path, *, check_credentials: bool) -> Iterator[S3Server]:
    import boto3

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    if check_credentials:  # after create_user, put_user_policy and create_access_key
        env["INITIAL_NO_AUTH_ACTION_COUNT"] = "3"
    command = [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(port)]
    with _process(command, port, folder / "moto.log", env):
        endpoint = f"http://{HOST}:{port}"
        iam = boto3.client(
            "iam",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id="setup",
            aws_secret_access_key="setup",
        )
        iam.create_user(UserName="schedcu")
        policy = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
        iam.put_user_policy(
            UserName="schedcu",
            PolicyName="schedcu-s3",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [policy]}),
        )
        key = iam.create_access_key(UserName="schedcu")["AccessKey"]
        server = S3Server(endpoint, BUCKET, key["AccessKeyId"], key["SecretAccessKey"])
        server.client().create_bucket(Bucket=BUCKET)
        yield server


def _private_key_pem(path: Path) -> str:
    """An ed25519 key in OpenSSH's format at `path`; returns its public line."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    return public.decode("ascii")


@dataclass(frozen=True)
class SftpServer:
    """sshd serving SFTP: its port, the user, the key it accepts and one it does not."""

    port: int
    user: str
    key_file: Path
    wrong_key_file: Path

    def url(self, path: Path, port: int | None = None) -> str:
        return f"sftp://{self.user}@{HOST}:{port or self.port}{path}"


def make_keys(folder: Path) -> tuple[Path, Path, Path]:
    """A host key, a user key and another user key sshd does not know."""
    host_key, user_key, wrong_key = folder / "host_key", folder / "user_key", folder / "wrong_key"
    _private_key_pem(host_key)
    (folder / "authorized_keys").write_text(_private_key_pem(user_key) + "\n")
    _private_key_pem(wrong_key)
    return host_key, user_key, wrong_key


@contextlib.contextmanager
def running_sshd(folder: Path) -> Iterator[SftpServer]:
    if not SSHD.exists():
        raise RuntimeError(f"{SSHD} is missing: install Debian's openssh-server (make sshd)")
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation folder
    host_key, user_key, wrong_key = make_keys(folder)
    port = free_port()
    user = getpass.getuser()
    config = folder / "sshd_config"
    config.write_text(
        "\n".join(
            [
                f"ListenAddress {HOST}",
                f"Port {port}",
                f"HostKey {host_key}",
                f"PidFile {folder / 'sshd.pid'}",
                f"AuthorizedKeysFile {folder / 'authorized_keys'}",
                f"AllowUsers {user}",
                "AuthenticationMethods publickey",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password",
                "UsePAM no",
                "StrictModes no",
                "Subsystem sftp internal-sftp",
                "ForceCommand internal-sftp",
                "AllowTcpForwarding no",
                "X11Forwarding no",
                "PermitTTY no",
                "LogLevel ERROR",
                "",
            ]
        )
    )
    command = [str(SSHD), "-D", "-e", "-f", str(config)]
    with _process(command, port, folder / "sshd.log", dict(os.environ)):
        yield SftpServer(port, user, user_key, wrong_key)


@dataclass(frozen=True)
class HttpsServer:
    """The https server: its port, the CA that signed its certificate, the folder it serves, the
    user and password it asks for, and `statuses` (URL path -> HTTP status) answered instead of
    the file, after the authentication check."""

    port: int
    ca_file: Path
    files: Path
    user: str
    password: str
    statuses: dict[str, int] = field(default_factory=dict)

    def url(self, name: str, port: int | None = None) -> str:
        return f"https://{HOST}:{port or self.port}/{name}"

    def netrc(self, path: Path, password: str | None = None) -> Path:
        """A netrc file at `path` with this server's login (or another `password`)."""
        path.write_text(f"machine {HOST} login {self.user} password {password or self.password}\n")
        path.chmod(0o600)
        return path


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A CA, and a certificate for 127.0.0.1 it signed: (ca.pem, server.pem, server.key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)

    def build(subject: str, key, issuer: str, signer, *, ca: bool) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]),
                critical=False,
            )
        return builder.sign(signer, hashes.SHA256())

    ca_key, server_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    ca = build("schedcu test CA", ca_key, "schedcu test CA", ca_key, ca=True)
    server = build(HOST, server_key, "schedcu test CA", ca_key, ca=False)
    pem = serialization.Encoding.PEM
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(pem))
    paths[1].write_bytes(server.public_bytes(pem))
    paths[2].write_bytes(
        server_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return paths


@contextlib.contextmanager
def running_https(files: Path, folder: Path, *, user: str, password: str) -> Iterator[HttpsServer]:
    ca_file, cert, key = _certificates(folder)
    expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    statuses: dict[str, int] = {}

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, directory=str(files), **kwargs)

        def send_head(self):
            if self.headers.get("Authorization") != expected:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="schedcu"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            if self.path in statuses:
                self.send_error(statuses[self.path])
                return None
            return super().send_head()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer((HOST, 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield HttpsServer(server.server_address[1], ca_file, files, user, password, statuses)
    finally:
        server.shutdown()
        server.server_close()


class BreakingProxy:
    """A TCP proxy to `HOST:target_port` on its own port. Connections pass whole until `arm`;
    then each new connection gets `after` bytes from the server and is closed (`hang=False`) or
    left open without another byte (`hang=True`)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._listener = socket.create_server((HOST, 0))
        self.port = self._listener.getsockname()[1]
        self._after: int | None = None
        self._hang = False
        self._open: list[socket.socket] = []
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def arm(self, *, after: int, hang: bool = False) -> None:
        self._after, self._hang = after, hang

    def close(self) -> None:
        self._closed.set()
        self._listener.close()
        for sock in self._open:
            with contextlib.suppress(OSError):
                sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection((HOST, self.target_port))
            self._open += [client, server]
            limit = self._after
            threading.Thread(target=self._pipe, args=(client, server, None), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, limit), daemon=True).start()

    def _pipe(self, source: socket.socket, target: socket.socket, limit: int | None) -> None:
        sent = 0
        try:
            while data := source.recv(16384):
                if limit is not None and sent + len(data) > limit:
                    target.sendall(data[: limit - sent])
                    if self._hang:
                        self._closed.wait()
                    break
                target.sendall(data)
                sent += len(data)
        except OSError:
            pass
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def copy_into(source: Path, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(source, folder / name))
