"""AtomicFile: a file written in pieces (by a thread, for builds) appears whole under its name or not at all."""

from __future__ import annotations

import errno
import threading

import pytest

from timeline.errors import TimelineError
from timeline.store import AtomicFile


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
