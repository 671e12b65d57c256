"""Drives the official twilio Python SDK, unchanged, against BASE_URL: conversations.v1
services, users, conversations, participants and messages, create/fetch/list/delete, in the
order a chat backend calls them. The only change to the SDK's behaviour is the host: a
TwilioHttpClient subclass rewrites https://conversations.twilio.com to BASE_URL.

Prints one JSON line per call: {"call", "ok": true, ...what the call returned} or
{"call", "ok": false, "error", "status", "code"}.
Usage: twilio_py.py BASE_URL USERNAME PASSWORD [ACCOUNT_SID]"""
import json
import sys
from urllib.parse import urlsplit, urlunsplit

from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

base, username, password = sys.argv[1:4]
account_sid = sys.argv[4] if len(sys.argv) > 4 else None
target = urlsplit(base)


class HostRewritingClient(TwilioHttpClient):
    """Sends every request to BASE_URL's scheme and host, keeping path and query."""

    def request(self, method, url, **kwargs):
        parts = urlsplit(url)
        url = urlunsplit((target.scheme, target.netloc, parts.path, parts.query, parts.fragment))
        return super().request(method, url, **kwargs)


client = Client(username, password, account_sid, http_client=HostRewritingClient())
conv = client.conversations.v1


def call(name, fn):
    try:
        out = fn()
        print(json.dumps({"call": name, "ok": True, **out}), flush=True)
        return out
    except TwilioRestException as e:
        print(json.dumps({"call": name, "ok": False, "error": e.msg, "status": e.status,
                          "code": e.code}), flush=True)
        return None


svc = call("service.create", lambda: {"sid": conv.services.create(friendly_name="sdk-demo").sid})
if svc is None:  # refused (wrong credentials): nothing else can run
    sys.exit(0)
sid = svc["sid"]
call("service.fetch", lambda: {"friendly_name": conv.services(sid).fetch().friendly_name})
call("service.list", lambda: {"sids": [s.sid for s in conv.services.list(page_size=1)]})
s = conv.services(sid)
user = call("user.create", lambda: {
    "sid": (u := s.users.create(identity="alice", friendly_name="Alice")).sid,
    "identity": u.identity, "date_created": u.date_created.isoformat()})
call("user.fetch", lambda: {"identity": s.users(user["sid"]).fetch().identity})
call("user.fetch_by_identity", lambda: {"sid": s.users("alice").fetch().sid})
call("user.update", lambda: {"friendly_name": s.users("alice").update(
    friendly_name="Alice A.").friendly_name})
call("user.list", lambda: {"identities": [u.identity for u in s.users.list()]})
call("user.create_duplicate", lambda: {"sid": s.users.create(identity="alice").sid})
c = call("conversation.create", lambda: {
    "sid": (x := s.conversations.create(friendly_name="standup", unique_name="standup")).sid,
    "state": x.state})
call("conversation.fetch", lambda: {"unique_name": s.conversations(c["sid"]).fetch().unique_name})
call("conversation.list", lambda: {"sids": [x.sid for x in s.conversations.list()]})
cc = s.conversations(c["sid"])
p = call("participant.create", lambda: {"sid": cc.participants.create(identity="alice").sid})
call("participant.fetch", lambda: {"identity": cc.participants(p["sid"]).fetch().identity})
call("participant.list", lambda: {"identities": [x.identity for x in cc.participants.list()]})
m = call("message.create", lambda: {
    "sid": (x := cc.messages.create(author="alice", body="hello")).sid,
    "index": x.index, "participant_sid": x.participant_sid})
call("message.fetch", lambda: {"body": cc.messages(m["sid"]).fetch().body})
# Paging: three messages read two at a time through next_page_url.
cc.messages.create(body="two")
cc.messages.create(body="three")
call("message.list", lambda: {"indexes": [x.index for x in cc.messages.list(page_size=2)]})
call("message.delete", lambda: {"deleted": cc.messages(m["sid"]).delete()})
call("participant.delete", lambda: {"deleted": cc.participants(p["sid"]).delete()})
call("conversation.delete", lambda: {"deleted": cc.delete()})
call("user.delete", lambda: {"deleted": s.users(user["sid"]).delete()})
call("service.delete", lambda: {"deleted": s.delete()})
call("service.fetch_deleted", lambda: {"sid": conv.services(sid).fetch().sid})
# The shortened URLs act on the account's default service.
call("default.user.create", lambda: {"chat_service_sid": conv.users.create(
    identity="dora").chat_service_sid})
call("default.user.delete", lambda: {"deleted": conv.users("dora").delete()})
