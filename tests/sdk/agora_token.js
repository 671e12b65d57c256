// Builds a Chat app token with the official agora-token package. Usage:
// node agora_token.js APP_ID APP_CERTIFICATE EXPIRE_SECONDS
const { ChatTokenBuilder } = require('agora-token');
const [appId, cert, expire] = process.argv.slice(2);
console.log(ChatTokenBuilder.buildAppToken(appId, cert, Number(expire)));
