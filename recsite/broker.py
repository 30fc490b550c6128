"""Kombu's filesystem transport with messages that appear whole.

Kombu's own transport opens a message's file under its final name and then
writes it; a consumer listing the folder in between moves away an empty
file, fails to decode it and stops the worker ("Unrecoverable error:
JSONDecodeError"). That happened in the test suite when the embedded beat
sent its catch-up message while the worker was polling. Here a message is
written under a name no queue reads (a leading dot) and renamed into place,
which is atomic on one filesystem, so a consumer sees a whole file or none.

``register`` makes it what a ``filesystem://`` URL names, in this process,
so every connection made from the URL (the Celery app, health checks, a
test's overridden URL) gets the transport the URL says.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        """Put ``payload`` on ``queue``: written aside, then renamed into place."""
        # The name kombu gives a message: time first, so the folder's sorted
        # listing is the queue's order.
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        # A leading dot: "{dot}{time}_{uuid}.{queue}.msg" partitions at the dot
        # into something no queue's "{queue}.msg" equals, so _get skips it.
        partial = os.path.join(self.data_folder_out, f".{name}.partial")
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel


def register() -> None:
    """Make ``filesystem://`` URLs use this transport (before any connection is made)."""
    TRANSPORT_ALIASES["filesystem"] = f"{__name__}:Transport"
