"""The segment cache: synthesized PCM per (voice, parameters, normalized sentence).

Layout under the cache directory:
    segments/ab/<key>.pcm   one entry: a header (magic, rate, sample count, checksum) + PCM
    locks/NN.lock           striped file locks for single-flight synthesis across processes
    index.sqlite            sizes, last use and synthesis time per entry; shared counters;
                            pins (entries an owner needs kept, never evicted)

Files are the truth: an entry is visible only once renamed into place whole, and is checked
against its checksum on every read, so a crash mid-write or a flipped byte can never reach a
program. The index only serves eviction (LRU within a byte budget) and metrics; an entry it
does not know is adopted on first read.
"""

from __future__ import annotations

import fcntl
import hashlib
import re
import sqlite3
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from voices.audio.pcm import Pcm
from voices.files import write_atomically

_MAGIC = b"LXSEG001"
_HEADER = struct.Struct("<8sIQ16s")  # magic, sample rate, sample count, blake2b-128 of PCM
_LOCK_STRIPES = 64
_KEY = re.compile(r"[0-9a-f]{64}")
DEFAULT_MAX_BYTES = 2 * 1024**3


class CacheIndexError(OSError):
    """The cache's index could not be read or written (a full disk, most often)."""


@dataclass(frozen=True)
class CacheStats:
    """What the cache holds and has saved: shown by `radio cache stats`, the API and the
    console's dashboard."""

    entries: int
    bytes: int
    max_bytes: int
    hits: int
    misses: int
    evictions: int
    corrupt: int  # entries found damaged and synthesized again
    synthesis_seconds: float  # spent synthesizing segments
    seconds_saved: float  # of synthesis, by hits
    hit_rate: float = field(init=False)

    def __post_init__(self) -> None:
        lookups = self.hits + self.misses
        object.__setattr__(self, "hit_rate", self.hits / lookups if lookups else 0.0)


@dataclass(frozen=True)
class Lookup:
    pcm: Pcm
    hit: bool
    synthesis_seconds: float  # what producing this entry cost the engine


def segment_key(*parts: str) -> str:
    """A key from everything that changes a segment's audio, in a fixed order."""
    digest = hashlib.sha256()
    for part in parts:
        encoded = part.encode("utf-8")
        digest.update(len(encoded).to_bytes(4, "little") + encoded)
    return digest.hexdigest()


class SegmentCache:
    def __init__(self, directory: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self._segments = directory / "segments"
        self._locks = directory / "locks"
        self._segments.mkdir(parents=True, exist_ok=True)
        self._locks.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connection().executescript(_SCHEMA)

    # -- the one public operation -------------------------------------------------------

    def get_or_synthesize(self, key: str, synthesize: Callable[[], Pcm]) -> Lookup:
        """The cached PCM for key, or synthesize it once: concurrent callers for the same
        missing key, in this process or another, wait for the first one's result."""
        if not _KEY.fullmatch(key):
            raise ValueError(f"cache keys are sha256 hex digests (see segment_key), got {key!r}")
        found = self._read(key)
        if found is not None:
            return found
        with self._locked(key):
            found = self._read(key)  # someone else may have made it while we waited
            if found is not None:
                return found
            start = time.perf_counter()
            pcm = synthesize()
            seconds = time.perf_counter() - start
            self._write(key, pcm, seconds)
        self._count(misses=1)
        return Lookup(pcm, hit=False, synthesis_seconds=seconds)

    def contains(self, key: str) -> bool:
        return self._path(key).exists()

    def keep(self, owner: str, keys: Iterable[str]) -> None:
        """Never evict these entries while `owner` (say, an emergency template) holds them:
        they must be there when it is needed, however long since it was last used."""
        with self._db() as db:
            db.execute("DELETE FROM pins WHERE owner = ?", (owner,))
            db.executemany(
                "INSERT OR IGNORE INTO pins VALUES (?, ?)", [(key, owner) for key in keys]
            )

    def release(self, owner: str) -> None:
        """The owner is gone: its entries age like any other (unless another holds them)."""
        with self._db() as db:
            db.execute("DELETE FROM pins WHERE owner = ?", (owner,))

    # -- metrics and housekeeping ---------------------------------------------------------

    def stats(self) -> CacheStats:
        with self._db() as db:
            entries, size, synth = db.execute(
                "SELECT COUNT(*), COALESCE(SUM(size), 0), COALESCE(SUM(synthesis_seconds), 0)"
                " FROM entries"
            ).fetchone()
            counters = dict(db.execute("SELECT name, value FROM counters").fetchall())
        return CacheStats(
            entries=entries,
            bytes=size,
            max_bytes=self.max_bytes,
            hits=int(counters.get("hits", 0)),
            misses=int(counters.get("misses", 0)),
            evictions=int(counters.get("evictions", 0)),
            corrupt=int(counters.get("corrupt", 0)),
            synthesis_seconds=synth,
            seconds_saved=counters.get("seconds_saved", 0.0),
        )

    def clear(self) -> int:
        """Remove every entry; returns how many there were."""
        removed = 0
        for path in self._segments.glob("*/*"):
            path.unlink(missing_ok=True)
            removed += path.suffix == ".pcm"
        with self._db() as db:
            db.execute("DELETE FROM entries")
            db.execute("DELETE FROM counters")
        return removed

    # -- entries ------------------------------------------------------------------------

    def _path(self, key: str) -> Path:
        return self._segments / key[:2] / f"{key}.pcm"

    def _read(self, key: str) -> Lookup | None:
        path = self._path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        pcm = _decode(data)
        if pcm is None:  # truncated or corrupt: never let it reach a program
            path.unlink(missing_ok=True)
            with self._db() as db:
                db.execute("DELETE FROM entries WHERE key = ?", (key,))
                _bump(db, corrupt=1)
            return None
        with self._db() as db:
            row = db.execute(
                "UPDATE entries SET last_used = ? WHERE key = ? RETURNING synthesis_seconds",
                (time.time(), key),
            ).fetchone()
            if row is None:  # written by a process that died before indexing it
                db.execute(
                    "INSERT OR IGNORE INTO entries VALUES (?, ?, ?, 0)",
                    (key, len(data), time.time()),
                )
            seconds = row[0] if row else 0.0
            _bump(db, hits=1, seconds_saved=seconds)
        return Lookup(pcm, hit=True, synthesis_seconds=seconds)

    def _write(self, key: str, pcm: Pcm, seconds: float) -> None:
        path = self._path(key)
        path.parent.mkdir(exist_ok=True)
        data = _encode(pcm)
        write_atomically(path, data, durable=False)  # checksummed: torn entries are caught
        with self._db() as db:
            db.execute(
                "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)",
                (key, len(data), time.time(), seconds),
            )
            self._evict(db, keep=key)

    def _evict(self, db: sqlite3.Connection, keep: str) -> None:
        """Least recently used first, until the entries fit the byte budget."""
        total = db.execute("SELECT COALESCE(SUM(size), 0) FROM entries").fetchone()[0]
        if total <= self.max_bytes:
            return
        evicted = 0
        for key, size in db.execute(
            "SELECT key, size FROM entries WHERE key != ?"
            " AND key NOT IN (SELECT key FROM pins) ORDER BY last_used",
            (keep,),
        ).fetchall():
            if total <= self.max_bytes:
                break
            self._path(key).unlink(missing_ok=True)
            db.execute("DELETE FROM entries WHERE key = ?", (key,))
            total -= size
            evicted += 1
        _bump(db, evictions=evicted)

    # -- plumbing -------------------------------------------------------------------------

    @contextmanager
    def _locked(self, key: str) -> Iterator[None]:
        stripe = self._locks / f"{int(key[:8], 16) % _LOCK_STRIPES:02d}.lock"
        with stripe.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _connection(self) -> sqlite3.Connection:
        """One connection per thread, in autocommit mode: _db opens the transactions."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.directory / "index.sqlite", timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """Each block is one transaction, taking the write lock up front. The index failing
        (a full disk fails its journal first) is an OSError, like the entries' own files."""
        db = self._connection()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                with suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            raise CacheIndexError(f"the cache index could not be written: {exc}") from exc

    def _count(self, **counters: float) -> None:
        with self._db() as db:
            _bump(db, **counters)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY, size INTEGER NOT NULL, last_used REAL NOT NULL,
    synthesis_seconds REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_last_used ON entries (last_used);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value REAL NOT NULL);
CREATE TABLE IF NOT EXISTS pins (key TEXT NOT NULL, owner TEXT NOT NULL, PRIMARY KEY (key, owner));
"""


def _bump(db: sqlite3.Connection, **counters: float) -> None:
    for name, value in counters.items():
        if value:
            db.execute(
                "INSERT INTO counters VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
                (name, value),
            )


def _checksum(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=16).digest()


def _encode(pcm: Pcm) -> bytes:
    payload = pcm.samples.astype("<i2").tobytes()
    header = _HEADER.pack(_MAGIC, pcm.sample_rate, len(pcm.samples), _checksum(payload))
    return header + payload


def _decode(data: bytes) -> Pcm | None:
    if len(data) < _HEADER.size:
        return None
    magic, rate, count, checksum = _HEADER.unpack_from(data)
    payload = data[_HEADER.size :]
    if magic != _MAGIC or len(payload) != 2 * count or _checksum(payload) != checksum:
        return None
    return Pcm(np.frombuffer(payload, dtype="<i2").astype(np.int16), rate)
