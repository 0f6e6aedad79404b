"""Stopping the processes tests start in their own process group (`start_new_session=True`)."""

from __future__ import annotations

import os
import signal
import subprocess


def stop_process_group(process: subprocess.Popen, timeout: float) -> None:
    """SIGTERM to the process's group, so its children stop too; SIGKILL when it has not ended
    within `timeout` seconds."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
