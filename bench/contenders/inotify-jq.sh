#!/bin/sh
# Reference contender: the original tool's mechanism, an inotifywait + jq + sed pipeline that
# writes the same three targets as the runtime (env line, oauth.json, JSON-era auth-profiles.json).
# Like the original it puts the token in jq/sed argv and does not fsync: it is a yardstick, not a
# recommendation.
# usage: inotify-jq.sh CREDS_DIR CREDS_NAME ENV_FILE OAUTH_JSON AUTH_PROFILES_JSON
set -u
dir=$1 name=$2 env=$3 oauth=$4 auth=$5
inotifywait -m -q -e moved_to -e close_write --format '%f' "$dir" | while read -r f; do
  [ "$f" = "$name" ] || continue
  tok=$(jq -r '.claudeAiOauth.accessToken' "$dir/$name") || continue
  exp=$(jq -r '.claudeAiOauth.expiresAt' "$dir/$name") || continue
  sed "s|^ANTHROPIC_OAUTH_TOKEN=.*|ANTHROPIC_OAUTH_TOKEN=\"$tok\"|" "$env" > "$env.tmp" && mv "$env.tmp" "$env"
  jq --arg t "$tok" --argjson e "$exp" '.anthropic.access = $t | .anthropic.expires = $e' "$oauth" > "$oauth.tmp" && mv "$oauth.tmp" "$oauth"
  jq --arg t "$tok" --argjson e "$exp" '.profiles["anthropic:default"] = {type: "token", provider: "anthropic", token: $t, expires: $e}' "$auth" > "$auth.tmp" && mv "$auth.tmp" "$auth"
done
