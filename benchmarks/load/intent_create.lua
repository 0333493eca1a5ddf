-- POST /v1/purchase-intents (API.md B): a STRIPE intent for one unit, a new buyer email each time
-- (so max_per_user never bites). env: LISTING_ID (run.sh creates a large FCFS listing), API_KEY
local listing = assert(os.getenv("LISTING_ID"), "set LISTING_ID")
local threads, n = 0, 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
wrk.method = "POST"
wrk.headers["X-API-Key"] = os.getenv("API_KEY") or "dev-partner-key"
wrk.headers["Content-Type"] = "application/json"
function request()
  n = n + 1
  local body = string.format(
    '{"provider":"STRIPE","listing_id":"%s","quantity":1,"buyer":{"email":"bench-%s-%d-%d@example.com"}}',
    listing, os.time(), tid, n)
  return wrk.format(nil, "/v1/purchase-intents", nil, body)
end
