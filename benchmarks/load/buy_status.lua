-- POST /api/v1/vm/buy/status of one fulfilled session (API.md A): the hot read, served from terminal state.
-- env: SESSION_ID (run.sh creates one with buy/init first), API_KEY (default dev-partner-key)
local session = assert(os.getenv("SESSION_ID"), "set SESSION_ID")
wrk.method = "POST"
wrk.path = "/api/v1/vm/buy/status"
wrk.headers["X-API-Key"] = os.getenv("API_KEY") or "dev-partner-key"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"session_id":"' .. session .. '"}'
