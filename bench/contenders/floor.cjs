// The floor: the least work that still writes the three targets safely. fs.watch on the
// directory, parse, three fsynced atomic writes; no validation, no era detection, no locks.
// usage: node floor.cjs CREDS_DIR CREDS_NAME ENV_FILE OAUTH_JSON AUTH_PROFILES_JSON
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const [dir, name, envPath, oauthPath, authPath] = process.argv.slice(2);

function writeAtomic(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, "w", 0o600);
  fs.writeSync(fd, text);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
}

let last = "";
fs.watch(dir, (_event, file) => {
  if (file !== name) return;
  let o;
  try {
    o = JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")).claudeAiOauth;
  } catch {
    return;
  }
  if (!o || o.accessToken === last) return;
  last = o.accessToken;
  const env = fs.readFileSync(envPath, "utf8").replace(/^ANTHROPIC_OAUTH_TOKEN=.*$/m, `ANTHROPIC_OAUTH_TOKEN="${o.accessToken}"`);
  writeAtomic(envPath, env);
  const oauth = JSON.parse(fs.readFileSync(oauthPath, "utf8"));
  oauth.anthropic = { ...oauth.anthropic, access: o.accessToken, expires: o.expiresAt };
  writeAtomic(oauthPath, JSON.stringify(oauth));
  const auth = JSON.parse(fs.readFileSync(authPath, "utf8"));
  auth.profiles["anthropic:default"] = { type: "token", provider: "anthropic", token: o.accessToken, expires: o.expiresAt };
  writeAtomic(authPath, JSON.stringify(auth));
});
