-- A realistic mix, by our guess until production traffic says otherwise: status polls dominate.
--   60% buy/status (fulfilled session), 10% buy/init, 10% intent creation, 20% intent listing.
-- env: SESSION_ID, PACK_ID, LISTING_ID (run.sh sets all three), API_KEY
local session = assert(os.getenv("SESSION_ID"), "set SESSION_ID")
local listing = assert(os.getenv("LISTING_ID"), "set LISTING_ID")
local pack = os.getenv("PACK_ID") or "demo"
local threads, n = 0, 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function init(args) math.randomseed(os.time() * 100 + tid) end
wrk.headers["X-API-Key"] = os.getenv("API_KEY") or "dev-partner-key"
wrk.headers["Content-Type"] = "application/json"
function request()
  n = n + 1
  local roll, user = math.random(100), string.format("bench-%s-%d-%d", os.time(), tid, n)
  if roll <= 60 then
    return wrk.format("POST", "/api/v1/vm/buy/status", nil, '{"session_id":"' .. session .. '"}')
  elseif roll <= 70 then
    return wrk.format("POST", "/api/v1/vm/buy/init", nil,
      string.format('{"id":"%s","amount":1,"user_id":"%s"}', pack, user))
  elseif roll <= 80 then
    return wrk.format("POST", "/v1/purchase-intents", nil, string.format(
      '{"provider":"STRIPE","listing_id":"%s","quantity":1,"buyer":{"email":"%s@example.com"}}', listing, user))
  else
    return wrk.format("GET", "/v1/purchase-intents?limit=20&listing_id=" .. listing)
  end
end
