"""Mail backends for the worker processes the services tests start (named by their
EMAIL_BACKEND). Test code only: the product's mail path is Django's own backends."""

import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend

# While this file exists in EMAIL_FILE_PATH, each message is written (the "server" has it)
# and only then does the reply come, this many seconds later: the window in which a
# worker killed cannot know whether its email went.
SLOW_REPLY_FLAG = "slow-reply"
SLOW_REPLY_SECONDS = 3.0


class SlowReplyFileBackend(FileEmailBackend):
    """Django's file-based backend, with a mail server that can be told to answer slowly."""

    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)  # written and flushed to the file
        if (Path(self.file_path) / SLOW_REPLY_FLAG).exists():
            time.sleep(SLOW_REPLY_SECONDS)
        return sent
