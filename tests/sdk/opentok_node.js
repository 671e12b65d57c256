// Drives the official opentok Node SDK, unchanged, against API_URL (its apiUrl option):
// createSession with each media mode and archive mode. Prints one JSON line per call.
// Usage: node opentok_node.js API_URL API_KEY API_SECRET
const OpenTok = require('opentok');
const [url, key, secret] = process.argv.slice(2);
const ot = new OpenTok(key, secret, { apiUrl: url });
const calls = [
  ['relayed-manual', {}],
  ['routed-manual', { mediaMode: 'routed' }],
  ['routed-always', { mediaMode: 'routed', archiveMode: 'always' }],
];
(async () => {
  for (const [name, opts] of calls) {
    await new Promise((done) => {
      ot.createSession(opts, (err, session) => {
        console.log(JSON.stringify(err ? { call: name, error: String(err) } : { call: name, session_id: session.sessionId }));
        done();
      });
    });
  }
})();
