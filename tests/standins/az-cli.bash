#!/usr/bin/env bash
# The stand-in `az` that tests/standins/az-cli.ts installs (its comment says what it answers). bash rather than
# node: AzureCliCredential starts `az` for every token, and a node process costs about ten times the CPU of this.
# az-settings.sh beside it sets LOG_PATH, SIGNED_IN, SUBSCRIPTION_ID, TENANT_ID, ACCOUNT_JSON, IDENTITY_CLAIMS,
# TOKEN_HEADER and TOKEN_SIGNATURE.
set -u
# shellcheck source=/dev/null
source "${0%/*}/az-settings.sh"

# A JSON string of $1 in $quoted: backslashes and double quotes escaped (no argument has a control character).
quote() {
  local text=${1//\\/\\\\}
  quoted="\"${text//\"/\\\"}\""
}

logged=""
for arg in "$@"; do
  quote "$arg"
  logged+="${logged:+,}$quoted"
done
printf '[%s]\n' "$logged" >>"$LOG_PATH"

if [ "$SIGNED_IN" != "true" ]; then
  echo "ERROR: Please run 'az login' to setup account." >&2
  exit 1
fi

# The value after the first $1 among the arguments, in $value (empty when absent).
value_of() {
  local name=$1 found=""
  shift
  value=""
  for arg in "$@"; do
    if [ -n "$found" ]; then
      value=$arg
      return
    fi
    [ "$arg" = "$name" ] && found=yes
  done
}

unsupported() {
  echo "stand-in az: unsupported command $*" >&2
  exit 2
}

value_of --output "$@"
output=$value
value_of --query "$@"
query=$value

if [ "${1:-}" = "account" ] && [ "${2:-}" = "show" ]; then
  if [ "$query" = "id" ] && [ "$output" = "tsv" ]; then
    echo "$SUBSCRIPTION_ID"
  elif [ "$output" = "json" ] && [ -z "$query" ]; then
    echo "$ACCOUNT_JSON"
  else
    unsupported "$@"
  fi
  exit 0
fi

value_of --resource "$@"
resource=$value
if [ "${1:-}" != "account" ] || [ "${2:-}" != "get-access-token" ] || [ "$output" != "json" ] || [ -z "$resource" ]; then
  unsupported "$@"
fi
value_of --subscription "$@"
subscription=${value:-$SUBSCRIPTION_ID}

now=$EPOCHSECONDS
expires=$((now + 3600))
quote "$resource"
claims="{\"aud\":$quoted,\"iss\":\"https://sts.windows.net/$TENANT_ID/\",\"iat\":$now,\"nbf\":$now,\"exp\":$expires,$IDENTITY_CLAIMS}"
payload=$(printf '%s' "$claims" | basenc --base64url -w0)
printf -v expires_on '%(%Y-%m-%d %H:%M:%S)T.000000' "$expires"
quote "$subscription"
cat <<EOF
{
  "accessToken": "$TOKEN_HEADER.${payload%%=*}.$TOKEN_SIGNATURE",
  "expiresOn": "$expires_on",
  "expires_on": $expires,
  "subscription": $quoted,
  "tenant": "$TENANT_ID",
  "tokenType": "Bearer"
}
EOF
