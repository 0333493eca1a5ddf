-- POST /api/v1/vm/buy/init (API.md A): one card per request, a new user id each time.
-- env: PACK_ID (run.sh makes a large pack; "demo" has only a few hundred cards), API_KEY
local pack = os.getenv("PACK_ID") or "demo"
local threads, n = 0, 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
wrk.method = "POST"
wrk.headers["X-API-Key"] = os.getenv("API_KEY") or "dev-partner-key"
wrk.headers["Content-Type"] = "application/json"
function request()
  n = n + 1
  local body = string.format('{"id":"%s","amount":1,"user_id":"bench-%s-%d-%d"}', pack, os.time(), tid, n)
  return wrk.format(nil, "/api/v1/vm/buy/init", nil, body)
end
