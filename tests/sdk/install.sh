#!/usr/bin/env bash
# Installs the official server SDKs the SDK tests drive, at pinned versions, into
# tests/sdk/.deps (never globally): opentok (PyPI) and opentok + agora-token (npm).
# Called by .ci/run; safe to run again (it skips what is already there).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
deps="$here/.deps"
mkdir -p "$deps/python" "$deps/node"

OPENTOK_PY=3.15.0
OPENTOK_NODE=2.23.2
AGORA_TOKEN=2.0.6

if [ ! -f "$deps/python/.opentok-$OPENTOK_PY" ]; then
    python3 -m pip install --quiet --disable-pip-version-check --target "$deps/python" \
        "opentok==$OPENTOK_PY"
    touch "$deps/python/.opentok-$OPENTOK_PY"
fi
if [ ! -f "$deps/node/.installed-$OPENTOK_NODE-$AGORA_TOKEN" ]; then
    (cd "$deps/node" && [ -f package.json ] || echo '{"private": true}' > "$deps/node/package.json")
    npm install --silent --no-audit --no-fund --prefix "$deps/node" \
        "opentok@$OPENTOK_NODE" "agora-token@$AGORA_TOKEN"
    touch "$deps/node/.installed-$OPENTOK_NODE-$AGORA_TOKEN"
fi
echo "SDKs installed in $deps"

# twilio-python for tests/sdk_twilio.rs (conversations.v1 against the sandbox, and the same-request
# checks), in its own directory so its dependencies (requests, aiohttp, PyJWT) stay apart.
TWILIO_PY=9.11.0
if [ ! -f "$deps/twilio-python/.twilio-$TWILIO_PY" ]; then
    mkdir -p "$deps/twilio-python"
    python3 -m pip install --quiet --disable-pip-version-check --target "$deps/twilio-python" \
        "twilio==$TWILIO_PY"
    touch "$deps/twilio-python/.twilio-$TWILIO_PY"
fi
echo "twilio $TWILIO_PY installed in $deps/twilio-python"
