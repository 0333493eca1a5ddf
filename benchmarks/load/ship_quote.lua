-- POST /api/v1/ship/quote (API.md A2): quotes of one to three items of one user, rotating over the items run.sh bought
-- (a quote locks nothing, so the same items can be quoted again and again).
-- env: SHIP_ITEMS (a file of lines "<item id> <item id> ...", one user's items per line), API_KEY
local lines = {}
local path = os.getenv("SHIP_ITEMS") or error("set SHIP_ITEMS")
for line in io.lines(path) do
  local items = {}
  for id in line:gmatch("%S+") do table.insert(items, '"' .. id .. '"') end
  table.insert(lines, items)
end
local threads, n = 0, 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
wrk.method = "POST"
wrk.headers["X-API-Key"] = os.getenv("API_KEY") or "dev-partner-key"
wrk.headers["Content-Type"] = "application/json"
local destination = '{"name":"Bench","line1":"1 Main St","city":"Springfield","postal_code":"62701","country":"US"}'
function request()
  n = n + 1
  local items = lines[(n * 7 + tid) % #lines + 1]
  local count = 1 + n % #items
  local body = string.format('{"item_ids":[%s],"destination":%s}', table.concat(items, ",", 1, count), destination)
  return wrk.format(nil, "/api/v1/ship/quote", nil, body)
end
