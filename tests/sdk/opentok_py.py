"""Drives the official opentok Python SDK, unchanged, against API_URL: create_session with each
media mode and archive mode. Prints one JSON line per call: {"call", "session_id"} or
{"call", "error"}. Usage: opentok_py.py API_URL API_KEY API_SECRET"""
import json
import sys

from opentok import ArchiveModes, MediaModes, OpenTok

url, key, secret = sys.argv[1:4]
ot = OpenTok(key, secret, api_url=url)
calls = {
    "relayed-manual": dict(media_mode=MediaModes.relayed, archive_mode=ArchiveModes.manual),
    "routed-manual": dict(media_mode=MediaModes.routed, archive_mode=ArchiveModes.manual),
    "routed-always": dict(media_mode=MediaModes.routed, archive_mode=ArchiveModes.always),
    "routed-e2ee-location": dict(media_mode=MediaModes.routed, e2ee=True, location="12.34.56.78"),
}
for name, kwargs in calls.items():
    try:
        print(json.dumps({"call": name, "session_id": ot.create_session(**kwargs).session_id}))
    except Exception as e:  # the test reports which call failed and why
        print(json.dumps({"call": name, "error": repr(e)}))
