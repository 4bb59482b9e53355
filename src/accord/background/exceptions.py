"""Exceptions of the job machinery.

The reaper and the jobs page record the dotted path of these classes as a job's error, so
the jobs page can say why a job stopped without a traceback from the job itself.
"""

from __future__ import annotations


class PermanentJobError(Exception):
    """Raise from a job to fail it at once, without the remaining retries.

    For errors a retry cannot fix: the input is invalid, the record is gone for good.
    """


class WorkerLost(Exception):
    """The worker running the job stopped sending heartbeats (killed, crashed, lost power)."""


class JobCancelled(Exception):
    """An administrator cancelled the job before it started."""
