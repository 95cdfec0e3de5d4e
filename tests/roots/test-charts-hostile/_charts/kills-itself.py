"""A chart that kills its own process."""

import os
import signal

DATA = ["sizes"]


def draw(data):
    os.kill(os.getpid(), signal.SIGKILL)
