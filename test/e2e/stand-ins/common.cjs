// STAND-IN support code for the e2e tests (test/e2e): NOT part of OpenClaw, Claude Code or Docker.
// Installed on throwaway test hosts as /usr/local/lib/ocs-standin/common.cjs. Every stand-in
// appends one JSON line per call to the call log named in /etc/ocs-standin/config.json. Values
// that could be secrets (stdin) are recorded only as a sha256 and a length, never as text.
"use strict";
const fs = require("fs");
const crypto = require("crypto");

const CONFIG = "/etc/ocs-standin/config.json";

function config() {
  try {
    return JSON.parse(fs.readFileSync(CONFIG, "utf8"));
  } catch (e) {
    process.stderr.write(`stand-in: cannot read ${CONFIG}: ${e.message}\n`);
    process.exit(70);
  }
}

function sha256(text) {
  return crypto.createHash("sha256").update(text).digest("hex");
}

function record(tool, fields) {
  const c = config();
  const line = JSON.stringify({
    tool,
    at: Date.now(),
    argv: process.argv.slice(2),
    uid: process.getuid(),
    gid: process.getgid(),
    home: process.env.HOME || "",
    cwd: process.cwd(),
    ...fields,
  });
  try {
    fs.appendFileSync(c.log, line + "\n");
  } catch (e) {
    process.stderr.write(`stand-in: cannot append to the call log ${c.log}: ${e.message}\n`);
    process.exit(70);
  }
}

function readStdin() {
  try {
    return fs.readFileSync(0, "utf8");
  } catch {
    return "";
  }
}

module.exports = { config, sha256, record, readStdin };
