"""Downloads against a loopback HTTP server: verified, resumable, and refusing a bad checksum."""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from cnntui.data import DatasetError, load_splits, registry
from cnntui.data.download import cache_dir, fetch
from cnntui.data.idx import write_idx
from cnntui.data.sources import RemoteFile


class _Handler(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}
    requests: list[tuple[str, str | None]] = []
    honour_range = True
    announce_extra = 0
    """Bytes announced in Content-Length beyond what is sent: a transfer that ends early."""
    redirects: dict[str, str] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path in self.redirects:
            self.send_response(302)
            self.send_header("Location", self.redirects[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = self.files.get(self.path)
        self.requests.append((self.path, self.headers.get("Range")))
        if body is None:
            self.send_error(404)
            return
        start = 0
        rng = self.headers.get("Range")
        if rng and self.honour_range:
            start = int(rng.split("=")[1].split("-")[0])
            if start >= len(body):
                self.send_response(416)
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(body) - start + self.announce_extra))
        self.end_headers()
        self.wfile.write(body[start:])

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, type[_Handler]]]:
    handler = type(
        "Handler",
        (_Handler,),
        {"files": {}, "requests": [], "honour_range": True, "announce_extra": 0, "redirects": {}},
    )
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_fetch_verifies_and_reports_progress(server, tmp_path: Path) -> None:
    url, handler = server
    body = bytes(range(256)) * 1000
    handler.files["/f.bin"] = body
    seen: list[tuple[int, int | None]] = []
    dest = fetch(
        f"{url}/f.bin",
        tmp_path / "f.bin",
        hashlib.sha256(body).hexdigest(),
        progress=lambda _label, done, total: seen.append((done, total)),
    )
    assert dest.read_bytes() == body
    assert seen[-1] == (len(body), len(body))
    # a verified copy is not downloaded again
    fetch(f"{url}/f.bin", dest, hashlib.sha256(body).hexdigest())
    assert len(handler.requests) == 1


def test_fetch_resumes_a_partial_file(server, tmp_path: Path) -> None:
    url, handler = server
    body = b"0123456789" * 5000
    handler.files["/f.bin"] = body
    dest = tmp_path / "f.bin"
    (tmp_path / "f.bin.part").write_bytes(body[:12345])
    fetch(f"{url}/f.bin", dest, hashlib.sha256(body).hexdigest())
    assert dest.read_bytes() == body
    assert handler.requests == [("/f.bin", "bytes=12345-")]
    assert not (tmp_path / "f.bin.part").exists()


def test_fetch_restarts_when_range_is_ignored(server, tmp_path: Path) -> None:
    url, handler = server
    handler.honour_range = False
    body = b"abcdef" * 1000
    handler.files["/f.bin"] = body
    (tmp_path / "f.bin.part").write_bytes(b"junk")
    fetch(f"{url}/f.bin", tmp_path / "f.bin", hashlib.sha256(body).hexdigest())
    assert (tmp_path / "f.bin").read_bytes() == body


def test_checksum_mismatch_deletes_the_download(server, tmp_path: Path) -> None:
    url, handler = server
    handler.files["/f.bin"] = b"tampered"
    with pytest.raises(DatasetError, match="SHA-256 mismatch"):
        fetch(f"{url}/f.bin", tmp_path / "f.bin", "0" * 64)
    assert not (tmp_path / "f.bin").exists() and not (tmp_path / "f.bin.part").exists()


def test_http_error_and_refused_connection(server, tmp_path: Path) -> None:
    url, _ = server
    with pytest.raises(DatasetError, match="HTTP 404"):
        fetch(f"{url}/missing", tmp_path / "x", "0" * 64)
    with pytest.raises(DatasetError, match="failed"):
        fetch("http://127.0.0.1:9/x", tmp_path / "x", "0" * 64, timeout=2)
    with pytest.raises(DatasetError, match="only http"):
        fetch("file:///etc/passwd", tmp_path / "x", "0" * 64)


def test_download_mnist_into_the_cache(
    server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, handler = server
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (12, 28, 28)),
        "train-labels-idx1-ubyte.gz": np.arange(12) % 10,
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (4, 28, 28)),
        "t10k-labels-idx1-ubyte.gz": np.arange(4),
    }
    remote = []
    for name, array in arrays.items():
        path = tmp_path / name
        write_idx(path, array, compress=True)
        handler.files[f"/{name}"] = path.read_bytes()
        remote.append(
            RemoteFile(name, f"{url}/{name}", hashlib.sha256(path.read_bytes()).hexdigest(), 1)
        )
    monkeypatch.setitem(registry.SOURCES, "mnist", tuple(remote))
    with pytest.raises(DatasetError, match="--download"):
        load_splits("mnist")
    splits = load_splits("mnist", download=True)
    assert splits.sizes() == {"train": 11, "val": 1, "test": 4}
    assert (cache_dir() / "mnist" / "t10k-labels-idx1-ubyte.gz").is_file()
    assert str(cache_dir()).startswith(str(tmp_path))  # the isolated XDG cache, never the user's
    # the second time, no network
    handler.files.clear()
    assert load_splits("mnist").sizes()["test"] == 4


def test_download_cifar_archive_and_extract(
    server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import tarfile

    from cnntui.data.cifar import write_cifar_batch

    url, handler = server
    rng = np.random.default_rng(0)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
            path = tmp_path / name
            write_cifar_batch(path, rng.integers(0, 256, (10, 3, 32, 32)), np.arange(10))
            tar.add(path, arcname=f"cifar-10-batches-bin/{name}")
        tar.add(tmp_path / "test_batch.bin", arcname="../escape.bin")  # must be ignored
    body = buffer.getvalue()
    handler.files["/cifar.tgz"] = body
    remote = RemoteFile(
        "cifar-10-binary.tar.gz", f"{url}/cifar.tgz", hashlib.sha256(body).hexdigest(), len(body)
    )
    monkeypatch.setitem(registry.SOURCES, "cifar10", (remote,))
    splits = load_splits("cifar10", download=True)
    assert splits.sizes() == {"train": 45, "val": 5, "test": 10}
    assert (cache_dir() / "cifar10" / "cifar-10-batches-bin" / "test_batch.bin").is_file()
    assert not (cache_dir() / "escape.bin").exists()


def test_a_transfer_that_ends_early_is_kept_and_resumed(server, tmp_path: Path) -> None:
    base, handler = server
    body = bytes(range(256)) * 400
    handler.files["/f"] = body
    handler.announce_extra = 1000  # the server promises more than it sends, then closes
    dest = tmp_path / "f.bin"
    with pytest.raises(DatasetError, match="ended early") as caught:
        fetch(f"{base}/f", dest, hashlib.sha256(body).hexdigest())
    assert "\n" not in str(caught.value) and "again to resume" in str(caught.value)
    part = tmp_path / "f.bin.part"
    assert part.is_file() and body.startswith(part.read_bytes()) and not dest.exists()
    handler.announce_extra = 0
    assert fetch(f"{base}/f", dest, hashlib.sha256(body).hexdigest()).read_bytes() == body
    assert handler.requests[-1][1] == f"bytes={part_size_before(handler, body)}-"


def part_size_before(handler: type[_Handler], body: bytes) -> int:
    """The Range start of the resuming request: whatever the first attempt kept."""
    return int(handler.requests[-1][1].split("=")[1].rstrip("-"))


def test_redirects_only_to_http(server, tmp_path: Path) -> None:
    base, handler = server
    handler.files["/data"] = b"payload"
    handler.redirects = {"/to-file": "file:///etc/passwd", "/to-ftp": "ftp://x/y", "/ok": "/data"}
    digest = hashlib.sha256(b"payload").hexdigest()
    for path in ("/to-file", "/to-ftp"):
        with pytest.raises(DatasetError, match="only http and https addresses are followed"):
            fetch(f"{base}{path}", tmp_path / "x", digest)
    assert fetch(f"{base}/ok", tmp_path / "y", digest).read_bytes() == b"payload"


def test_size_cap_and_deadline(server, tmp_path: Path) -> None:
    base, handler = server
    body = b"x" * 200_000
    handler.files["/big"] = body
    digest = hashlib.sha256(body).hexdigest()
    with pytest.raises(DatasetError, match="200,000 bytes, more than the 1,000 allowed"):
        fetch(f"{base}/big", tmp_path / "a", digest, max_bytes=1000)
    assert not (tmp_path / "a.part").exists()
    with pytest.raises(DatasetError, match="took longer than 0 s; run the same command again"):
        fetch(f"{base}/big", tmp_path / "b", digest, deadline_s=0)
    assert (tmp_path / "b.part").stat().st_size > 0  # kept for resuming


@pytest.mark.parametrize("url", ["http://[::1", "http://127.0.0.1:0/x", "https://"])
def test_unusable_addresses_are_one_line_dataset_errors(url: str, tmp_path: Path) -> None:
    with pytest.raises(DatasetError) as caught:
        fetch(url, tmp_path / "z", "0" * 64, timeout=2)
    assert "\n" not in str(caught.value) and str(caught.value).startswith(f"download of {url}")
