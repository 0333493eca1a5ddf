-- One shipped purchase = POST /api/v1/vm/buy/init (one card, a new user), POST /api/v1/ship/quote of that card, then
-- POST /api/v1/ship/request of its first rate. wrk counts all three; done() prints each route's own rate
-- ("route <path> <answers>/s", and the count of refusals) and run.sh copies those lines into the summary.
-- env: PACK_ID, API_KEY
local pack = os.getenv("PACK_ID") or "demo"
local all, n = {}, 0
local items, quotes = {}, {}
counts = { ["buy/init"] = 0, ["ship/quote"] = 0, ["ship/request"] = 0, refused = 0 }
function setup(thread) table.insert(all, thread); thread:set("tid", #all) end
wrk.method = "POST"
wrk.headers["X-API-Key"] = os.getenv("API_KEY") or "dev-partner-key"
wrk.headers["Content-Type"] = "application/json"
local destination = '{"name":"Bench","line1":"1 Main St","city":"Springfield","postal_code":"62701","country":"US"}'
function request()
  local quote = table.remove(quotes)
  if quote then
    return wrk.format(nil, "/api/v1/ship/request", nil, string.format('{"quote_id":"%s"}', quote))
  end
  local item = table.remove(items)
  if item then
    return wrk.format(nil, "/api/v1/ship/quote", nil, string.format('{"item_ids":["%s"],"destination":%s}', item, destination))
  end
  n = n + 1
  local body = string.format('{"id":"%s","amount":1,"user_id":"ship-%s-%d-%d"}', pack, os.time(), tid, n)
  return wrk.format(nil, "/api/v1/vm/buy/init", nil, body)
end
function response(status, headers, body)
  -- Which route answered, told by the body's shape (answers on one thread's connections can come in any order).
  local route = body:find('"order_id"') and "ship/request" or body:find('"quotes"') and "ship/quote"
    or body:find('"nfts"') and "buy/init" or "refused"
  counts[route] = counts[route] + 1
  local quote = body:match('"quotes":%[{"id":"([^"]+)"')
  if quote then table.insert(quotes, quote); return end
  local item = body:match('"nfts":%[{"id":"([^"]+)"')
  if item then table.insert(items, item) end
end
function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  for _, route in ipairs({ "buy/init", "ship/quote", "ship/request" }) do
    local answers = 0
    for _, thread in ipairs(all) do answers = answers + thread:get("counts")[route] end
    io.write(string.format("route %-12s %8.0f/s\n", route, answers / seconds))
  end
  local refusals = 0
  for _, thread in ipairs(all) do refusals = refusals + thread:get("counts").refused end
  io.write(string.format("route %-12s %8d answers\n", "refused", refusals))
end
