"""Publishing files so that they appear whole or not at all, and the one-writer lock of a run.

The same protocol as the Swift writer (Sources/Storage/AtomicWrite.swift, Files/OutputLock.swift):
a file is written beside its destination as `NAME.partial-PID`, flushed, fsynced, renamed over the
destination, and the directory fsynced, so a process killed at any instant leaves either the old
file or the new one. The lock is an `flock` on `run.lock` (holding "PID HOST"), which the OS
releases however the process ends.
"""
import fcntl
import os
import socket

import h5py

from .errors import InputError


def partial_path(path):
    """Where this process writes `path` before renaming it into place."""
    return f"{path}.partial-{os.getpid()}"


def fsync_directory(path):
    """Makes a rename or unlink in the directory of `path` durable (best effort, like the Swift side)."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def publish_hdf5(path, fill, **options):
    """Writes the HDF5 file `path` whole: `fill(f)` writes into `PATH.partial-PID`, which is then
    closed, fsynced and renamed over `path`; on any error the temporary is removed and `path` is
    left as it was. `options` go to h5py.File (e.g. the chunk cache)."""
    temporary = partial_path(path)
    try:
        with h5py.File(temporary, "w", **options) as f:
            fill(f)
            f.flush()
        descriptor = os.open(temporary, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    fsync_directory(path)


def remove_stale_partials(path):
    """Removes `PATH.partial-PID` files beside `path` left by processes that are gone."""
    folder = os.path.dirname(os.path.abspath(path))
    prefix = os.path.basename(path) + ".partial-"
    for name in os.listdir(folder):
        if not name.startswith(prefix) or not name[len(prefix):].isdigit():
            continue
        pid = int(name[len(prefix):])
        if pid != os.getpid() and not _alive(pid):
            try:
                os.unlink(os.path.join(folder, name))
            except FileNotFoundError:
                pass


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunLock:
    """The exclusive lock of one run's writer: `flock` on the lock file beside the run file (same
    stem, `.lock`), as `infoplane train` takes it, so a recorder and a trainer never write one run."""

    def __init__(self, run_file):
        self.path = os.path.splitext(run_file)[0] + ".lock"
        self._descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(self._descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self._descriptor, 256, 0).decode(errors="replace").strip() or "another process"
            os.close(self._descriptor)
            self._descriptor = None
            raise InputError(f"{run_file} is being written by {holder} (lock {self.path}): "
                             "wait for it to finish or stop it, or record to another path") from None
        os.ftruncate(self._descriptor, 0)
        os.pwrite(self._descriptor, f"{os.getpid()} {socket.gethostname()}\n".encode(), 0)

    def release(self):
        """Gives the lock up (once)."""
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None
