"""`flask mail listen`: an LMTP (or SMTP) server for a mail server that relays replies to it
rather than piping each into `flask mail receive`. aiosmtpd runs it on a thread of its own;
each message is handled with the app as the command would, on a worker thread."""

from __future__ import annotations

import asyncio
import logging

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from network.extensions import db
from network.mailin.receiving import handle
from network.notify.replies import token_in

log = logging.getLogger("network.mailin")

ACCEPTED = "250 2.0.0 OK"
TRY_LATER = "451 4.3.0 Not handled now: try again later"
FAILED = "554 5.3.0 This message could not be handled"


class ReplyHandler:
    """aiosmtpd's handler: takes mail for reply addresses only, and hands each message over."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        with self.app.app_context():
            ours = token_in(address) is not None
        if not ours:
            return "550 5.1.1 No such reply address here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    def _handle(self, content: bytes, recipients: list[str], sender: str) -> str:
        with self.app.app_context():
            try:
                outcome = handle(content, recipients, sender)
            except SQLAlchemyError:
                log.exception("The database failed: the message is left to the mail server")
                return TRY_LATER
            except Exception:
                log.exception("A received message could not be handled")
                return FAILED
            finally:
                db.session.remove()
        log.info("Received %s: %s", recipients, outcome)
        return ACCEPTED

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's name
        status = await asyncio.get_running_loop().run_in_executor(
            None, self._handle, envelope.original_content, list(envelope.rcpt_tos),
            envelope.mail_from or "")
        # LMTP answers once for each recipient (RFC 2033); SMTP once.
        count = len(envelope.rcpt_tos) if isinstance(server, LMTP) else 1
        return "\r\n".join([status] * max(count, 1))


class ReplyListener(Controller):
    def __init__(self, app: Flask, host: str, port: int, lmtp: bool = True) -> None:
        self.lmtp = lmtp
        # Somewhat more than the largest reply, so that one a little over is answered (too
        # large) rather than refused by the server mid-message.
        limit = app.config["MAIL_IN_MAX_BYTES"] * 2
        super().__init__(ReplyHandler(app), hostname=host, port=port, data_size_limit=limit,
                         decode_data=False)

    def factory(self):
        return (LMTP if self.lmtp else SMTP)(self.handler, **self.SMTP_kwargs)
