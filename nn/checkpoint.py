"""nn.save and nn.load: nested dicts of arrays (state dicts) in an .npz file, without pickle.

Each array is an entry of the archive named by its dotted path, e.g. 'model.0.weight', so
`np.load(path)` shows the weights by name. The nesting and the small non-array values
(ints, floats, bools, strings, None, lists, tuples, int or str dict keys, as in an
optimizer's state dict) are written as one JSON document in the entry STRUCTURE. In it a
container is an object {"dict": [[key, node], ...]}, {"list": [...]} or {"tuple": [...]},
an array is {"array": entry}, a numpy scalar {"scalar": entry}, and any other JSON value is
itself. So loading restores the
object exactly and needs only np.load(allow_pickle=False).
"""

import json
import os
import uuid
import zipfile
import zlib

import numpy as np

from autograd import Tensor

STRUCTURE = "__structure__"
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
_BROKEN = (  # what reading a damaged archive can raise
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    OSError,
    EOFError,
    zipfile.BadZipFile,
    zlib.error,
)


def save(obj, path) -> None:
    """Write obj (arrays in nested dicts, lists and tuples; a Tensor is saved as its array).

    The file is written to a temporary file in the same directory, synced, then renamed
    over path, so a crash midway leaves any previous file at path as it was.
    """
    arrays = {STRUCTURE: None}  # reserves the name
    arrays[STRUCTURE] = np.array(json.dumps(_encode(obj, "", arrays)))
    _write_atomically(os.fspath(path), arrays)


def load(path):
    """Read what save() wrote. A plain .npz of arrays gives a dict of its arrays.

    A file that would need pickle is refused; a truncated or corrupt one is a ValueError.
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        head = f.read(6)
    if head.startswith(b"\x80"):
        raise _pickle_refused(path)
    if head.startswith(b"\x93NUMPY"):
        raise ValueError(f"{path} holds a single .npy array, not an .npz archive from nn.save")
    if not head.startswith(b"PK"):
        raise ValueError(f"{path} is not an .npz archive (it does not start like a zip file)")
    try:
        if not head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            raise zipfile.BadZipFile("the zip header is cut short")
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        structure = arrays.pop(STRUCTURE, None)
        return arrays if structure is None else _decode(json.loads(str(structure)), arrays)
    except _BROKEN as error:
        if "pickle" in str(error):
            raise _pickle_refused(path) from error
        raise ValueError(
            f"{path} is truncated or corrupt: {type(error).__name__}: {error}"
        ) from error


def _pickle_refused(path):
    return ValueError(
        f"{path} needs pickle to load (it holds Python objects), and unpickling can run "
        "arbitrary code; nn.load reads only plain arrays, so it refuses this file"
    )


def _encode(obj, path, arrays):
    """The JSON node for obj; its arrays go into `arrays` under their dotted path."""
    if isinstance(obj, Tensor):
        obj = obj.data
    if isinstance(obj, np.ndarray | np.generic):
        if obj.dtype.hasobject:
            raise TypeError(f"'{path}' is an object array, which only pickle could save")
        name = path or "array"
        while name in arrays:  # int and str keys with one spelling, or the reserved name
            name += "'"
        arrays[name] = np.asarray(obj)
        return {"array": name} if isinstance(obj, np.ndarray) else {"scalar": name}
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    dotted = f"{path}." if path else ""
    if isinstance(obj, dict):
        for key in obj:
            if not isinstance(key, str | int) or isinstance(key, bool):
                raise TypeError(f"dict keys must be str or int, got {key!r} under '{path}'")
        return {"dict": [[k, _encode(v, f"{dotted}{k}", arrays)] for k, v in obj.items()]}
    if isinstance(obj, list | tuple):
        nodes = [_encode(v, f"{dotted}{i}", arrays) for i, v in enumerate(obj)]
        return {"list" if isinstance(obj, list) else "tuple": nodes}
    raise TypeError(f"cannot save '{path}' of type {type(obj).__name__} without pickle")


def _decode(node, arrays):
    """The object a JSON node stands for (the inverse of _encode)."""
    if not isinstance(node, dict):
        return node
    if "dict" in node:
        return {key: _decode(value, arrays) for key, value in node["dict"]}
    if "list" in node:
        return [_decode(value, arrays) for value in node["list"]]
    if "tuple" in node:
        return tuple(_decode(value, arrays) for value in node["tuple"])
    if "array" in node:
        return arrays[node["array"]]
    if "scalar" in node:
        return arrays[node["scalar"]][()]
    raise ValueError(f"unknown node {node} in the structure entry")


def _write_atomically(path, arrays):
    """Write the arrays as an .npz to a temporary file, fsync it, and rename it over path.

    An OSError that names a file names the user's path, not the temporary one.
    """
    try:
        _write_and_rename(path, arrays)
    except OSError as error:
        if error.filename is None:
            raise
        raise OSError(error.errno, error.strerror, path) from None


def _write_and_rename(path, arrays):
    directory = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(directory, f".{os.path.basename(path)}.{uuid.uuid4().hex}.tmp")
    fd = os.open(temporary, _NEW_FILE, 0o666)  # as open() creates files: the umask applies
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
                for name, array in arrays.items():
                    with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                        np.lib.format.write_array(member, array, allow_pickle=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory):
    """Make the rename itself durable (POSIX; a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
