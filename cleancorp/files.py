"""Inputs and outputs on disk: discovery, output names, atomic writes, the manifest.

Nothing here cleans text. Discovery walks folders in sorted order and maps
each input to the output path SPEC section 1 gives it; `OutputTree` writes
all parts of one input to a temporary place and renames them in together,
then records the input in ``DIR/.cleancorp/manifest.jsonl``.
"""

from __future__ import annotations

import contextlib
import fnmatch
import gzip
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from cleancorp.errors import InputError, UsageError

#: Compressed inputs are read, and their outputs written, the same way.
COMPRESSIONS = (".gz", ".zst")
#: Inputs read as rows with a text column (`parquet_io`); their outputs are Parquet.
TABLE_KINDS = frozenset({"parquet", "arrow"})
#: Inputs read as a stream of records, in batches (never whole in memory).
STREAMED_KINDS = frozenset({"jsonl"}) | TABLE_KINDS
STATE_DIR = ".cleancorp"
STDIN = "-"


@dataclass(frozen=True, slots=True)
class InputItem:
    """One input file: where it is, how the report names it, where its output goes."""

    path: Path
    display: str          # the name in the report and error lines
    rel_out: PurePosixPath  # output base path relative to -o (`a/b.txt`)
    kind: str             # "txt", "jsonl", or a table: "parquet", "arrow"
    compression: str      # "", ".gz" or ".zst"
    error: str | None = None  # found but unusable (dangling link, loop): reported, skipped
    root: Path | None = None  # the folder input it was found in

    @property
    def is_stdin(self) -> bool:
        return self.display == STDIN


def split_compression(name: str) -> tuple[str, str]:
    """Split a trailing compression suffix off a file name.

    >>> split_compression("a.jsonl.gz"), split_compression("b.txt")
    (('a.jsonl', '.gz'), ('b.txt', ''))
    """
    for suffix in COMPRESSIONS:
        if name.endswith(suffix):
            return name[: -len(suffix)], suffix
    return name, ""


def input_kind(name: str, input_format: str) -> str:
    """`txt`, `jsonl`, `parquet` or `arrow`: from `--input-format`, or by the file
    name when `auto`.

    >>> input_kind("x.jsonl.zst", "auto"), input_kind("x.txt", "auto"), input_kind("x.txt", "jsonl")
    ('jsonl', 'txt', 'jsonl')
    >>> input_kind("shard-0001.parquet", "auto"), input_kind("data-00000-of-00001.arrow", "auto")
    ('parquet', 'arrow')
    """
    if input_format != "auto":
        return input_format
    base, _ = split_compression(name)
    if base.endswith(".jsonl"):
        return "jsonl"
    if base.endswith(".parquet"):
        return "parquet"
    if base.endswith(".arrow"):
        return "arrow"
    return "txt"


def _matches(rel: str, patterns: Iterable[str]) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(rel, p) for p in patterns)


def _walk(root: Path) -> Iterator[tuple[Path, str, str | None]]:
    """Files under `root` in sorted order as (path, relative name, error).

    Dot-folders are skipped; a symlink is followed only when it resolves inside
    `root`; dangling links and loops are yielded with an error.
    """
    real_root = root.resolve()
    seen_dirs: set[Path] = set()

    def visit(folder: Path, rel: str) -> Iterator[tuple[Path, str, str | None]]:
        real = folder.resolve()
        if real in seen_dirs:
            yield folder, rel, "symlink loop; skipped"
            return
        seen_dirs.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            yield folder, rel, f"cannot list folder: {exc.strerror}; skipped"
            return
        for entry in entries:
            child = Path(entry.path)
            child_rel = f"{rel}/{entry.name}" if rel else entry.name
            if entry.is_symlink():
                try:
                    target = child.resolve(strict=True)
                except FileNotFoundError:
                    yield child, child_rel, "dangling symlink; skipped"
                    continue
                except (OSError, RuntimeError):
                    yield child, child_rel, "symlink loop; skipped"
                    continue
                if not target.is_relative_to(real_root):
                    continue  # SPEC: links are followed only inside the input folder
            if entry.name.startswith(".") and entry.is_dir():
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                yield from visit(child, child_rel)
            else:
                yield child, child_rel, None

    yield from visit(root, "")


def discover(inputs: Iterable[str], *, include: tuple[str, ...], exclude: tuple[str, ...],
             input_format: str, output_format: str) -> list[InputItem]:
    """All input files in SPEC's stable order (sorted paths)."""
    items: list[InputItem] = []
    for arg in inputs:
        if arg == STDIN:
            if input_format in TABLE_KINDS:
                raise UsageError(f"--input-format {input_format} reads files, not stdin "
                                 "(a Parquet footer is at the end of the file)")
            kind = "jsonl" if input_format == "jsonl" else "txt"
            items.append(InputItem(Path(STDIN), STDIN, PurePosixPath(STDIN), kind, ""))
            continue
        path = Path(arg)
        if path.is_dir():
            datasets = _DatasetFolders()
            for child, rel, error in _walk(path):
                # Broken links and loops are reported whatever their name: they may hide inputs.
                if _matches(rel, exclude) or (error is None and not _matches(rel, include)
                                              and not datasets.is_data_file(child)):
                    continue
                items.append(_item(child, rel, PurePosixPath(rel), input_format, output_format,
                                   error, path))
        elif path.exists() or path.is_symlink():
            items.append(_item(path, arg, PurePosixPath(path.name), input_format, output_format,
                               None))
        else:
            raise UsageError(f"{arg}: no such file or folder")
    items.sort(key=lambda it: (it.path.as_posix() if not it.is_stdin else ""))
    return items


class _DatasetFolders:
    """Which files are the data of a Hugging Face ``save_to_disk`` folder (the Arrow
    files its ``state.json`` lists): a folder input cleans them whatever `--include`
    says, as `cleancorp clean saved_dataset/` is meant to."""

    def __init__(self) -> None:
        self._folders: dict[Path, frozenset[str]] = {}

    def is_data_file(self, path: Path) -> bool:
        if not path.name.endswith(".arrow"):
            return False
        folder = path.parent
        if folder not in self._folders:
            from cleancorp.parquet_io import dataset_data_files

            self._folders[folder] = frozenset(dataset_data_files(folder) or ())
        return path.name in self._folders[folder]


def _item(path: Path, display: str, rel: PurePosixPath, input_format: str, output_format: str,
          error: str | None, root: Path | None = None) -> InputItem:
    base, compression = split_compression(rel.name)
    kind = input_kind(rel.name, input_format)
    if kind == "txt" and output_format in ("jsonl", "parquet"):
        stem = base[: -len(".txt")] if base.endswith(".txt") else base
        base = f"{stem}.{output_format}"
    if kind in TABLE_KINDS or (kind == "txt" and output_format == "parquet"):
        # Parquet compresses inside the file: no outer .gz/.zst (and an Arrow file's
        # output is Parquet: `data-00000-of-00001.arrow` -> `...00001.parquet`).
        stem = base.rsplit(".", 1)[0] if kind == "arrow" and base.endswith(".arrow") else base
        base = stem + (".parquet" if kind == "arrow" else "")
        return InputItem(path, display, rel.with_name(base), kind, compression, error, root)
    return InputItem(path, display, rel.with_name(base + compression), kind, compression, error,
                     root)


def part_names(rel_out: PurePosixPath, count: int) -> list[PurePosixPath]:
    """The output names of `count` parts: `b.txt`, or `b.001.txt` ... (SPEC 1.1).

    >>> [str(p) for p in part_names(PurePosixPath("a/b.txt.gz"), 2)]
    ['a/b.001.txt.gz', 'a/b.002.txt.gz']
    """
    if count <= 1:
        return [rel_out] if count == 1 else []
    base, compression = split_compression(rel_out.name)
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    width = max(3, len(str(count)))
    suffix = f".{ext}" if ext else ""
    return [rel_out.with_name(f"{stem}.{n:0{width}d}{suffix}{compression}")
            for n in range(1, count + 1)]


def check_outputs(items: list[InputItem], output: Path) -> None:
    """Refuse (exit 2) an output folder inside an input folder, collisions, overwrites."""
    out = output.resolve()
    for root in sorted({it.root for it in items if it.root is not None}):
        real = root.resolve()
        if out == real or out.is_relative_to(real):
            raise UsageError(f"-o {output}: the output folder is an input folder or inside one")
    inputs = [it for it in items if not it.is_stdin]
    input_paths = {it.path.resolve() for it in inputs if it.path.exists()}
    seen: dict[PurePosixPath, str] = {}
    for it in inputs:
        if it.rel_out in seen:
            raise UsageError(
                f"{it.display} and {seen[it.rel_out]} would both be written to {output / it.rel_out}")
        seen[it.rel_out] = it.display
        if (output / it.rel_out).resolve() in input_paths:
            raise UsageError(f"{it.display}: its output {output / it.rel_out} would overwrite an input")


# -- reading -------------------------------------------------------------------


def read_bytes(item: InputItem) -> bytes:
    """The whole content of an input, decompressed; OS errors become `InputError`."""
    try:
        with open_input(item) as fh:
            return fh.read()
    except FileNotFoundError:
        raise InputError("file not found (deleted after listing?); skipped") from None
    except PermissionError:
        raise InputError("permission denied; skipped") from None
    except IsADirectoryError:
        raise InputError("is a folder; skipped") from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}; skipped") from None
    except EOFError:
        raise InputError(f"truncated {item.compression} stream; skipped") from None


@contextlib.contextmanager
def open_input(item: InputItem) -> Iterator[IO[bytes]]:
    """Open an input for binary reading, decompressing `.gz`/`.zst` transparently."""
    if item.compression == ".gz":
        with gzip.open(item.path, "rb") as fh:
            yield fh
    elif item.compression == ".zst":
        import zstandard

        with open(item.path, "rb") as raw, zstandard.ZstdDecompressor().stream_reader(raw) as fh:
            # Buffered, so that JSON Lines can be read line by line.
            yield io.BufferedReader(fh)  # type: ignore[arg-type]
    else:
        with open(item.path, "rb") as fh:
            yield fh


def compress(data: bytes, compression: str) -> bytes:
    """Compress output bytes like the input was (deterministically: no gzip mtime)."""
    if compression == ".gz":
        return gzip.compress(data, mtime=0)
    if compression == ".zst":
        import zstandard

        return zstandard.ZstdCompressor().compress(data)
    return data


# -- writing -------------------------------------------------------------------


class StagedFile:
    """An output being written to a temporary file, compressed as a stream."""

    def __init__(self, path: Path, raw: IO[bytes], compression: str) -> None:
        self.path = path
        self._raw = raw
        self._closed = False
        self.size = 0
        if compression == ".gz":
            self._out: IO[bytes] = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0)
        elif compression == ".zst":
            import zstandard

            self._out = zstandard.ZstdCompressor().stream_writer(raw, closefd=False)
        else:
            self._out = raw

    def write(self, data: bytes) -> None:
        self._out.write(data)
        self.size += len(data)

    @property
    def stream(self) -> IO[bytes]:
        """The file object itself, for a writer that writes its own format (Parquet)."""
        return self._out

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            if self._out is not self._raw:
                self._out.close()
            self._raw.close()

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.close()
        with contextlib.suppress(OSError):
            self.path.unlink()


class OutputTree:
    """The output folder: atomic writes of each input's parts, the manifest, stale parts."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.state = root / STATE_DIR
        self.manifest_path = self.state / "manifest.jsonl"
        self.previous = self._read_manifest()
        self._manifest: IO[str] | None = None
        #: Set to a list to collect manifest lines instead of writing them (an engine
        #: whose workers write outputs: the driver records them, in stable order).
        self.deferred: list[dict[str, Any]] | None = None

    def _read_manifest(self) -> dict[str, dict[str, Any]]:
        entries: dict[str, dict[str, Any]] = {}
        try:
            with open(self.manifest_path, encoding="utf-8") as fh:
                for line in fh:
                    try:
                        entry = json.loads(line)
                    except json.JSONDecodeError:
                        continue  # a line cut by a kill: that input is simply redone
                    if isinstance(entry, dict) and isinstance(entry.get("input"), str):
                        entries[entry["input"]] = entry
        except FileNotFoundError:
            pass
        return entries

    def prepare(self) -> None:
        """Create the folder and remove temporary files an interrupted run left."""
        try:
            self.state.mkdir(parents=True, exist_ok=True)
            tmp = self.state / "tmp"
            if tmp.is_dir():
                for leftover in tmp.iterdir():
                    with contextlib.suppress(OSError):
                        leftover.unlink()
            tmp.mkdir(exist_ok=True)
        except OSError as exc:
            raise UsageError(f"-o {self.root}: cannot write there: {exc.strerror}") from None

    def stage(self, compression: str) -> StagedFile:
        """A temporary file in the output tree, written as a stream (compressed like
        the input) and renamed into place by `commit`."""
        fd, tmp_name = tempfile.mkstemp(dir=self.state / "tmp", prefix="part-")
        return StagedFile(Path(tmp_name), os.fdopen(fd, "wb"), compression)

    def write_input(self, item: InputItem, files: list[tuple[PurePosixPath, bytes]],
                    entry: dict[str, Any]) -> None:
        """Write all parts of one input: temp files first, then renames, then the
        manifest line; stale parts of an earlier run are removed."""
        staged: list[tuple[StagedFile, PurePosixPath]] = []
        try:
            for rel, data in files:
                part = self.stage("")
                staged.append((part, rel))
                part.write(data)
        except OSError as exc:
            for part, _ in staged:
                part.discard()
            raise InputError(f"cannot write output: {exc.strerror or exc}") from None
        self.commit(item, staged, entry)

    def commit(self, item: InputItem, staged: list[tuple[StagedFile, PurePosixPath]],
               entry: dict[str, Any], later: frozenset[str] = frozenset()) -> None:
        """Rename the staged parts of one input into place together, remove the stale
        parts of an earlier run, then record the input in the manifest. `later` names
        outputs of the input that another writer puts in place (not stale)."""
        try:
            for part, _ in staged:
                part.close()
            for part, rel in staged:
                target = self.root / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(part.path, target)
        except OSError as exc:
            for part, _ in staged:
                part.discard()
            raise InputError(f"cannot write output: {exc.strerror or exc}") from None
        old = self.previous.get(item.display, {}).get("outputs", [])
        new = {str(rel) for _, rel in staged} | later
        for stale in old:
            if stale not in new:
                with contextlib.suppress(OSError):
                    (self.root / stale).unlink()
        if self.deferred is not None:
            self.deferred.append(entry)
        else:
            self.record(entry)

    def record(self, entry: dict[str, Any]) -> None:
        """Append a finished input's line to the manifest."""
        if self._manifest is None:
            self._manifest = open(self.manifest_path, "a", encoding="utf-8")  # noqa: SIM115
        self._manifest.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._manifest.flush()

    def close(self) -> None:
        if self._manifest is not None:
            self._manifest.close()
            self._manifest = None


def digest(data: bytes) -> str:
    """The content hash the manifest keeps for an input."""
    return "blake2b:" + hashlib.blake2b(data, digest_size=16).hexdigest()
