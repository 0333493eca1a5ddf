-- GET /v1/purchase-intents (API.md B): first page of 20, newest first, filtered by listing when LISTING_ID is set.
-- env: LISTING_ID (optional), API_KEY
local listing = os.getenv("LISTING_ID")
wrk.headers["X-API-Key"] = os.getenv("API_KEY") or "dev-partner-key"
wrk.path = "/v1/purchase-intents?limit=20&order_direction=DESC" .. (listing and ("&listing_id=" .. listing) or "")
