-- One purchase = POST /api/v1/vm/buy/init, then POST /api/v1/vm/buy/status for the session it returned (the sandbox
-- provider fulfils inside buy/init, so that first status is already the fulfilled envelope). wrk counts both requests:
-- purchases per second = requests per second / 2.
-- env: PACK_ID, API_KEY
local pack = os.getenv("PACK_ID") or "demo"
local threads, n = 0, 0
local sessions = {}
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
wrk.method = "POST"
wrk.headers["X-API-Key"] = os.getenv("API_KEY") or "dev-partner-key"
wrk.headers["Content-Type"] = "application/json"
function request()
  local session = table.remove(sessions)
  if session then
    return wrk.format(nil, "/api/v1/vm/buy/status", nil, string.format('{"session_id":"%s"}', session))
  end
  n = n + 1
  local body = string.format('{"id":"%s","amount":1,"user_id":"bench-%s-%d-%d"}', pack, os.time(), tid, n)
  return wrk.format(nil, "/api/v1/vm/buy/init", nil, body)
end
function response(status, headers, body)
  local session = body:match('"session_id":"([^"]+)"')
  if session and not body:find('"result"') then table.insert(sessions, session) end
end
