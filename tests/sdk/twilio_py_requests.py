"""Makes each conversations.v1 call of the shipped Twilio payloads with the official twilio
Python SDK, unchanged, against BASE_URL (a capture server), with the payloads' values and fixed
SIDs, so a test can compare the requests with apiplay's. The answers are not resources, so the
SDK may fail after sending; only the request counts. Prints one line per call: its op id.
Usage: twilio_py_requests.py BASE_URL USERNAME PASSWORD ACCOUNT_SID SERVICE USER CONV PART MSG"""
import sys
from urllib.parse import urlsplit, urlunsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

base, username, password, account_sid, IS, US, CH, MB, IM = sys.argv[1:10]
target = urlsplit(base)


class HostRewritingClient(TwilioHttpClient):
    """Sends every request to BASE_URL's scheme and host, keeping path and query."""

    def request(self, method, url, **kwargs):
        parts = urlsplit(url)
        url = urlunsplit((target.scheme, target.netloc, parts.path, parts.query, parts.fragment))
        return super().request(method, url, **kwargs)


v1 = Client(username, password, account_sid, http_client=HostRewritingClient()).conversations.v1
s = v1.services(IS)
c = s.conversations(CH)
calls = [
    ("service.create", lambda: v1.services.create(friendly_name="apiplay demo")),
    ("service.fetch", lambda: v1.services(IS).fetch()),
    ("service.list", lambda: v1.services.list(page_size=20)),
    ("user.create", lambda: s.users.create(identity="alice", friendly_name="Alice")),
    ("user.fetch", lambda: s.users(US).fetch()),
    ("user.list", lambda: s.users.list(page_size=20)),
    ("conversation.create", lambda: s.conversations.create(friendly_name="Standup")),
    ("conversation.fetch", lambda: s.conversations(CH).fetch()),
    ("conversation.list", lambda: s.conversations.list(page_size=20)),
    ("participant.create", lambda: c.participants.create(identity="alice")),
    ("participant.fetch", lambda: c.participants(MB).fetch()),
    ("participant.list", lambda: c.participants.list(page_size=20)),
    ("message.create", lambda: c.messages.create(author="alice", body="Hello from apiplay")),
    ("message.fetch", lambda: c.messages(IM).fetch()),
    ("message.list", lambda: c.messages.list(page_size=20)),
    ("message.delete", lambda: c.messages(IM).delete()),
    ("participant.delete", lambda: c.participants(MB).delete()),
    ("conversation.delete", lambda: c.delete()),
    ("user.delete", lambda: s.users(US).delete()),
    ("service.delete", lambda: s.delete()),
]
for name, fn in calls:
    try:
        fn()
    except Exception:  # the capture server's answer is not a resource
        pass
    print(name, flush=True)
