"""AtomicFile: a file written in pieces (by a thread, for builds) appears whole under its name or not at all."""

from __future__ import annotations

import errno
import os
import stat
import threading

import pytest

from timeline.errors import TimelineError
from timeline.files import AtomicFile, write_atomic


def leftovers(directory) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("background", [False, True])
def test_pieces_appear_whole_only_on_commit(tmp_path, background) -> None:
    target = tmp_path / "graph.nq"
    target.write_bytes(b"previous\n")
    pieces = [f"<s> <p> \"{n}\" .\n".encode() * 1000 for n in range(50)]
    out = AtomicFile(target, background=background)
    for piece in pieces:
        out.write(piece)
        assert target.read_bytes() == b"previous\n"  # readers see the old file until the rename
    out.commit()
    assert target.read_bytes() == b"".join(pieces)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("background", [False, True])
def test_discard_keeps_the_previous_file(tmp_path, background) -> None:
    target = tmp_path / "graph.nq"
    target.write_bytes(b"previous\n")
    out = AtomicFile(target, background=background)
    out.write(b"half a graph")
    out.discard()
    assert target.read_bytes() == b"previous\n"
    assert leftovers(tmp_path) == []


def test_the_writer_thread_runs_beside_the_caller(tmp_path, monkeypatch) -> None:
    """The caller goes on while a piece is being written: that is what lets a build check while it writes."""
    release, writing = threading.Event(), threading.Event()
    out = AtomicFile(tmp_path / "graph.nq", background=True)
    real_write = out._handle.write

    def slow_write(data: bytes) -> int:
        writing.set()
        assert release.wait(10)
        return real_write(data)

    monkeypatch.setattr(out._handle, "write", slow_write)
    out.write(b"first piece\n")
    assert writing.wait(10)  # the thread is inside the write, and this thread is not blocked by it
    out.write(b"second piece\n")
    release.set()
    out.commit()
    assert (tmp_path / "graph.nq").read_bytes() == b"first piece\nsecond piece\n"


@pytest.mark.parametrize("background", [False, True])
def test_a_full_disk_is_one_error_naming_the_file_and_nothing_changes(tmp_path, monkeypatch, background) -> None:
    target = tmp_path / "graph.nq"
    target.write_bytes(b"previous\n")
    out = AtomicFile(target, background=background)

    def full(data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(out._handle, "write", full)
    with pytest.raises(TimelineError, match=r"graph\.nq: cannot write: No space left on device"):
        out.write(b"a piece\n")
        out.commit()  # in the background the error surfaces here at the latest
    out.discard()
    assert target.read_bytes() == b"previous\n"
    assert leftovers(tmp_path) == []


def test_a_directory_in_the_way_is_refused_before_writing(tmp_path) -> None:
    (tmp_path / "graph.nq").mkdir()
    with pytest.raises(TimelineError, match="is a directory"):
        AtomicFile(tmp_path / "graph.nq", background=True)
    assert leftovers(tmp_path) == []


@pytest.fixture
def umask_027():
    old = os.umask(0o027)
    yield 0o027
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("background", [False, True])
def test_the_file_has_its_final_mode_before_the_rename(tmp_path, umask_027, background) -> None:
    """Never seen private (mkstemp's 0600) nor wider than the umask allows, not even as a temporary file."""
    target = tmp_path / "page.html"
    target.write_bytes(b"previous\n")
    target.chmod(0o600)  # as earlier versions left it: replaced by a file as the umask makes them
    out = AtomicFile(target, background=background)
    (temporary,) = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert oct(mode(temporary)) == oct(0o640)
    out.write(b"new\n")
    out.commit()
    assert oct(mode(target)) == oct(0o640) and target.read_bytes() == b"new\n"


def test_keep_mode_keeps_an_existing_files_mode_and_gives_a_new_one_the_umasks(tmp_path, umask_027) -> None:
    mine = tmp_path / "events.csv"
    mine.write_bytes(b"id\n")
    mine.chmod(0o604)  # a mode the umask would not give: the user chose it
    write_atomic(mine, b"id\nx\n", keep_mode=True)
    write_atomic(tmp_path / "entities.csv", b"id\n", keep_mode=True)
    assert (oct(mode(mine)), oct(mode(tmp_path / "entities.csv"))) == (oct(0o604), oct(0o640))


def test_the_umask_is_read_without_proc_too_and_left_as_it_was(monkeypatch, umask_027) -> None:
    from timeline import files as store

    assert store.current_umask() == 0o027 and store.new_file_mode() == 0o640 and store.new_dir_mode() == 0o750

    def no_proc(*args, **kwargs):
        raise OSError("no /proc here")

    monkeypatch.setattr(store, "open", no_proc, raising=False)  # the module's open: as on macOS or BSD
    assert store.current_umask() == 0o027
    assert os.umask(0o027) == 0o027  # restored by the reader


def test_a_pipe_or_a_device_is_written_through_never_replaced(tmp_path) -> None:
    """`-o /dev/null` or `-o /dev/stdout` must not put a regular file in the device's place (a rename
    over /dev/null breaks every program on the machine): a FIFO stands for them here."""
    import stat
    import threading

    from timeline.files import AtomicFile

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    out = AtomicFile(fifo, background=True)
    out.write(b"graph ")
    out.write(b"bytes")
    assert out.written() == b"graph bytes"  # what a build reads back for SHACL
    out.commit()
    reader.join(timeout=10)
    assert got == [b"graph bytes"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]  # no temporary left beside it
