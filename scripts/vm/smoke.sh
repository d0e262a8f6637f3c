#!/usr/bin/env bash
# Smoke test run ON the VM (stock Ubuntu 24.04: bash, curl, python3; no jq): proves the VM's system-assigned managed
# identity can call the Azure OpenAI deployment with an Entra ID token and no key.
#
# Usage: smoke.sh --endpoint https://NAME.openai.azure.com/ --deployment chat [--deadline 900]
#   or the same through SMOKE_ENDPOINT, SMOKE_DEPLOYMENT, SMOKE_DEADLINE_SECONDS.
# Prints progress on stderr and exactly one JSON line on stdout:
#   {"target":"vm","outcome":"passed|failed","status":200,"diagnosis":"ok",...}
# Exit status: 0 passed, 1 failed, 2 usage error.
#
# Keeps trying while the answer is 401 PermissionDenied (role assignment not effective yet) or, in the first five
# minutes, 404 DeploymentNotFound: every 0.5 s for the first 10 s, then doubling to at most 10 s (the schedule of
# scripts/smoke/wait.ts); honours 429 Retry-After; retries 5xx and connection failures three times in a row;
# stops at once on answers waiting cannot fix. Diagnosis codes are those of lib/diagnosis.ts.
#
# Protocols: IMDS token GET (@azure/msal-node 7.2.3 asks the same)
# http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://cognitiveservices.azure.com
# with "Metadata: true" (Learn, "How to use managed identities for Azure resources on an Azure VM to acquire an access
# token"); chat completions on the v1 API, POST {endpoint}openai/v1/chat/completions with "model": deployment name
# and no api-version (Learn, "Azure OpenAI API version lifecycle"), which reasoning and older models both accept.
# No max_tokens: reasoning models answer 400 unsupported_parameter to it.
# python3 runs with -I -S (isolated, no site module): it needs only json and base64 from the standard library, so
# nothing installed or set in the environment on the VM changes what runs, and each call starts in half the time.
#
# Tests only: SMOKE_TEST_ONLY_IMDS_ENDPOINT replaces IMDS; SMOKE_TEST_ONLY_SLEEP_COMMAND (called with seconds, like
# sleep) and SMOKE_TEST_ONLY_CLOCK_COMMAND (prints epoch milliseconds) replace the real `sleep` and `date`, so tests
# read back the schedule the script computes instead of timing it.
set -euo pipefail

readonly TOKEN_RESOURCE="https://cognitiveservices.azure.com"
readonly IMDS_API_VERSION="2018-02-01"
readonly FIRST_DELAY_MS=500
readonly MAX_DELAY_MS=10000
readonly STEADY_MS=10000
readonly TRANSIENT_LIMIT=3
readonly DEPLOYMENT_GRACE_MS=300000
readonly REQUEST_TIMEOUT_SECONDS=30
# Tests point this at a stand-in; on a VM it is unset and IMDS is the link-local address.
imds_endpoint="${SMOKE_TEST_ONLY_IMDS_ENDPOINT:-http://169.254.169.254}"
sleep_command="${SMOKE_TEST_ONLY_SLEEP_COMMAND:-sleep}"
clock_command="${SMOKE_TEST_ONLY_CLOCK_COMMAND:-}"

endpoint="${SMOKE_ENDPOINT:-}"
deployment="${SMOKE_DEPLOYMENT:-}"
deadline_seconds="${SMOKE_DEADLINE_SECONDS:-900}"

usage() {
  echo "usage: $0 --endpoint URL --deployment NAME [--deadline SECONDS]" >&2
  exit 2
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --endpoint) endpoint="${2:-}"; shift 2 ;;
    --deployment) deployment="${2:-}"; shift 2 ;;
    --deadline) deadline_seconds="${2:-}"; shift 2 ;;
    -h | --help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
[[ -n "$endpoint" && -n "$deployment" ]] || usage
[[ "$deadline_seconds" =~ ^[0-9]+$ ]] || { echo "deadline must be whole seconds" >&2; usage; }
# Deployment names are letters, digits, '.', '_' and '-' (the Azure portal's rule), so they go into JSON as they are.
[[ "$deployment" =~ ^[A-Za-z0-9._-]+$ ]] || { echo "deployment name has characters a deployment cannot have" >&2; usage; }
endpoint="${endpoint%/}"

work_dir="$(mktemp -d)"
chmod 700 "$work_dir"
trap 'rm -rf "$work_dir"' EXIT
# The token goes to curl through a header file, never on a command line other users could read in ps.
auth_header_file="$work_dir/auth-header"
body_file="$work_dir/body"
headers_file="$work_dir/headers"

now_ms() { if [[ -n "$clock_command" ]]; then "$clock_command"; else date +%s%3N; fi; }
pause_seconds() { "$sleep_command" "$1"; }
start_ms="$(now_ms)"
deadline_ms=$((start_ms + deadline_seconds * 1000))
elapsed_ms() { echo $(($(now_ms) - start_ms)); }

# progress_at ELAPSED_MS MESSAGE / progress MESSAGE: one line on stderr, "+12.3s MESSAGE".
progress_at() { printf '[smoke vm] +%d.%ds %s\n' $(($1 / 1000)) $((($1 % 1000) / 100)) "$2" >&2; }
progress() { progress_at "$(elapsed_ms)" "$*"; }

attempts=0
principal_id=""
identity_resource_id=""
reply=""

# finish OUTCOME STATUS DIAGNOSIS MESSAGE: prints the one JSON line and exits.
finish() {
  local outcome="$1" status="$2" diagnosis="$3" message="$4"
  python3 -I -S - "$outcome" "$status" "$diagnosis" "$message" "$attempts" "$(elapsed_ms)" "$deployment" "$reply" \
    "$principal_id" "$identity_resource_id" <<'PY'
import json, sys
outcome, status, diagnosis, message, attempts, elapsed, deployment, reply, oid, mirid = sys.argv[1:11]
print(json.dumps({
    "target": "vm", "outcome": outcome, "status": int(status), "diagnosis": diagnosis, "message": message,
    "attempts": int(attempts), "elapsedMs": int(elapsed), "deployment": deployment, "reply": reply,
    "identity": {"principalId": oid, "managedIdentityResourceId": mirid, "source": "imds"},
}, separators=(",", ":")))
PY
  if [[ "$outcome" == "passed" ]]; then exit 0; fi
  exit 1
}

# json_field FILE EXPRESSION: prints a field of the JSON in FILE ("" when absent or not JSON).
# Expressions: imds (three lines: access token, its oid and xms_mirid claims), error (two lines: code, then
# message), error_message, reply.
json_field() {
  python3 -I -S - "$1" "$2" <<'PY'
import base64, json, sys
path, expression = sys.argv[1], sys.argv[2]
try:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
except (OSError, ValueError):
    data = {}
if not isinstance(data, dict):
    data = {}
error = data.get("error") if isinstance(data.get("error"), dict) else data
def claims(token):
    try:
        payload = token.split(".")[1]
        decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return decoded if isinstance(decoded, dict) else {}
value = ""
if expression == "imds":
    token = str(data.get("access_token", ""))
    token_claims = claims(token)
    value = "\n".join([token, str(token_claims.get("oid", "")), str(token_claims.get("xms_mirid", ""))])
elif expression in ("error", "error_message"):
    message = error.get("message", data.get("message", ""))
    if not isinstance(message, str):
        message = json.dumps(message)
    message = message.replace("\n", " ")
    code = str(error.get("code", data.get("statusCode", ""))).replace("\n", " ")
    value = message if expression == "error_message" else code + "\n" + message
elif expression == "reply":
    try:
        value = " ".join(str(data["choices"][0]["message"]["content"]).split()[:8])
    except (KeyError, IndexError, TypeError):
        value = ""
print(value if expression in ("error", "imds") else str(value).replace("\n", " "))
PY
}

# header_value NAME: prints a response header from the last call (case-insensitive), or nothing.
header_value() {
  awk -v name="$1" '{
    sub(/\r$/, ""); split($0, parts, ":")
    if (tolower(parts[1]) == tolower(name)) { sub(/^[^:]*:[ \t]*/, ""); value = $0 }
  } END { print value }' "$headers_file"
}

# curl_failure EXIT_CODE: diagnosis code for a curl exit status (curl(1) "EXIT CODES").
curl_failure() {
  case "$1" in
    6) echo "dns_failure" ;;
    7 | 28 | 35 | 52 | 55 | 56) echo "connection_failed" ;;
    *) echo "unexpected" ;;
  esac
}

# --- token from IMDS (a few tries: IMDS itself can answer 5xx/429 briefly) ---
token=""
for imds_try in 1 2 3 4 5; do
  set +e
  imds_status="$(curl -sS --max-time "$REQUEST_TIMEOUT_SECONDS" -o "$body_file" -w '%{http_code}' -H "Metadata: true" \
    -G --data-urlencode "api-version=$IMDS_API_VERSION" --data-urlencode "resource=$TOKEN_RESOURCE" \
    "$imds_endpoint/metadata/identity/oauth2/token" 2>"$work_dir/curl-error")"
  curl_exit=$?
  set -e
  if [[ $curl_exit -eq 0 && "$imds_status" == "200" ]]; then
    { IFS= read -r token; IFS= read -r principal_id; IFS= read -r identity_resource_id; } < <(json_field "$body_file" imds)
    break
  fi
  if [[ $curl_exit -eq 0 && "$imds_status" == "400" ]]; then
    finish failed 400 credential_unavailable "IMDS: $(json_field "$body_file" error_message) (is a system-assigned identity enabled on this VM?)"
  fi
  progress "IMDS try $imds_try: status ${imds_status:-none}, curl exit $curl_exit"
  pause_seconds "$imds_try"
done
[[ -n "$token" ]] || finish failed 0 credential_unavailable "no token from IMDS at $imds_endpoint"
printf 'Authorization: Bearer %s\n' "$token" >"$auth_header_file"
progress "token from IMDS for principal ${principal_id:-unknown}"

url="$endpoint/openai/v1/chat/completions"
payload="{\"model\":\"$deployment\",\"messages\":[{\"role\":\"user\",\"content\":\"Reply with the words: keyless access works\"}]}"
delay_ms=0
consecutive_transient=0

while true; do
  attempts=$((attempts + 1))
  set +e
  status="$(curl -sS --max-time "$REQUEST_TIMEOUT_SECONDS" -o "$body_file" -D "$headers_file" -w '%{http_code}' \
    -X POST -H "@$auth_header_file" -H "Content-Type: application/json" --data "$payload" "$url" 2>"$work_dir/curl-error")"
  curl_exit=$?
  set -e
  retry_after_ms=""
  code=""
  if [[ $curl_exit -ne 0 ]]; then
    status=0
    diagnosis="$(curl_failure "$curl_exit")"
    message="$(head -c 300 "$work_dir/curl-error")"
  elif [[ "$status" == 2?? ]]; then
    reply="$(json_field "$body_file" reply)"
    finish passed "$status" ok "$reply"
  else
    { IFS= read -r code; IFS= read -r message; } < <(json_field "$body_file" error)
    case "$status" in
      401) if [[ "$code" == "PermissionDenied" ]]; then diagnosis=role_not_effective; else diagnosis=wrong_audience; fi ;;
      403)
        if [[ "$code" == "AuthenticationTypeDisabled" ]]; then
          diagnosis=key_auth_attempted
        elif [[ "$message" =~ (approved\ private\ endpoint|[Pp]ublic\ access\ is\ disabled|[Vv]irtual\ [Nn]etwork) ]]; then
          diagnosis=network_blocked
        else
          diagnosis=unexpected
        fi
        ;;
      400)
        # unsupported_parameter (e.g. max_tokens on a reasoning model) or an api-version below the model's minimum.
        if [[ "$code" == "unsupported_parameter" || "$message" == *"enabled only for api versions"* ]]; then
          diagnosis=request_rejected
        else
          diagnosis=unexpected
        fi
        ;;
      404) if [[ "$code" == "DeploymentNotFound" ]]; then diagnosis=deployment_not_found; else diagnosis=unexpected; fi ;;
      429)
        diagnosis=rate_limited
        retry_after_ms="$(header_value retry-after-ms)"
        if ! [[ "$retry_after_ms" =~ ^[0-9]+$ ]]; then
          seconds="$(header_value retry-after)"
          if [[ "$seconds" =~ ^[0-9]+$ ]]; then retry_after_ms=$((seconds * 1000)); else retry_after_ms=""; fi
        fi
        ;;
      5??) diagnosis=server_error ;;
      *) diagnosis=unexpected ;;
    esac
  fi

  # Decide whether waiting can help; the clock is read once per answer.
  elapsed=$(($(now_ms) - start_ms))
  case "$diagnosis" in
    role_not_effective | rate_limited) consecutive_transient=0 ;;
    deployment_not_found)
      consecutive_transient=0
      if ((elapsed >= DEPLOYMENT_GRACE_MS)); then finish failed "$status" "$diagnosis" "$message"; fi
      ;;
    server_error | connection_failed)
      consecutive_transient=$((consecutive_transient + 1))
      if ((consecutive_transient >= TRANSIENT_LIMIT)); then finish failed "$status" "$diagnosis" "$message"; fi
      ;;
    *) finish failed "$status" "$diagnosis" "$message" ;;
  esac

  remaining_ms=$((deadline_ms - start_ms - elapsed))
  if ((remaining_ms <= 0)); then finish failed "$status" "$diagnosis" "deadline reached: $message"; fi
  if ((elapsed < STEADY_MS || delay_ms == 0)); then delay_ms=$FIRST_DELAY_MS; else delay_ms=$((delay_ms * 2)); fi
  if ((delay_ms > MAX_DELAY_MS)); then delay_ms=$MAX_DELAY_MS; fi
  wait_ms=$delay_ms
  if [[ -n "$retry_after_ms" ]] && ((retry_after_ms > wait_ms)); then wait_ms=$retry_after_ms; fi
  if ((wait_ms > remaining_ms)); then wait_ms=$remaining_ms; fi
  progress_at "$elapsed" "attempt $attempts: $status $diagnosis${code:+ ($code)}; next try in ${wait_ms}ms"
  pause_seconds "$(printf '%d.%03d' $((wait_ms / 1000)) $((wait_ms % 1000)))"
done
