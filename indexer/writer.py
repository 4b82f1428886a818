"""Whoosh writers for a build: on two cores for a fresh index, with writer processes that die with the build.

A fresh build hands its documents to two forked writer processes (Whoosh's
MpWriter), about halving the write on two free cores.  A build killed with
SIGKILL cannot tell them to stop: they waited on their job queue for ever,
holding the build lock they inherited, and every later build was refused.  So
each writer process has the kernel kill it when the build dies (Linux's
PR_SET_PDEATHSIG; elsewhere a thread watches the parent's pid), and exits at
once if the build is already gone when it starts.  Where processes are not
forked (a start method other than fork), the build writes in one process.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time

from whoosh.index import Index
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import IndexWriter

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
WATCH_EVERY = 0.2  # seconds between looks at the parent, where the kernel cannot be asked


def index_writer(ix: Index, fresh: bool) -> IndexWriter:
    """A writer for a build: two tethered processes for a fresh index, one otherwise."""
    if fresh and _start_method() == "fork":
        return TetheredWriter(ix, procs=2, multisegment=True, limitmb=256)
    return ix.writer(limitmb=256)  # an incremental build touches a few documents


def _start_method() -> str:
    """How multiprocessing will start processes, without fixing it as asking it would."""
    return multiprocessing.get_start_method(allow_none=True) or multiprocessing.get_all_start_methods()[0]


class TetheredTask(SubWriterTask):
    """Whoosh's writer process, bound to the life of the process that forked it."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.parent_pid = os.getpid()  # still in the build: this is the pid to outlive no longer

    def run(self) -> None:
        tether(self.parent_pid)
        super().run()


class TetheredWriter(MpWriter):
    """MpWriter whose writer processes are TetheredTasks."""

    def _new_task(self) -> SubWriterTask:
        task = TetheredTask(
            self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs, self.multisegment
        )
        self.tasks.append(task)
        task.start()
        return task


def tether(parent_pid: int) -> None:
    """End this process when `parent_pid`, its parent, ends (or has ended already)."""
    if not _death_signal(signal.SIGKILL):
        threading.Thread(target=_watch, args=(parent_pid,), daemon=True, name="watch-build").start()
    if os.getppid() != parent_pid:  # the build died before the signal was asked for
        os._exit(1)


def _death_signal(signum: int) -> bool:
    """Ask the kernel to send `signum` when the parent dies; False where it cannot be asked."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0


def _watch(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(WATCH_EVERY)
    os._exit(1)
