-- One wrk scenario, configured from the environment:
--   BENCH_METHOD (GET), BENCH_BODY (request body), BENCH_TOKENS (a file of access tokens, one per line,
--   used round-robin per request; unset means anonymous), BENCH_PAD_LIKE (a token file: send no token but an
--   X-Padding header exactly as long as that Authorization header, so the same bytes cross the wire),
--   BENCH_PATHS (paths separated by spaces, requested in turn: a mixed load; unset means the URL's path).
-- done() prints one line: BENCH_JSON {...} with req/s, latency percentiles (ms) and errors.
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local token_file = os.getenv("BENCH_TOKENS")
local pad_file = os.getenv("BENCH_PAD_LIKE")
local paths = {}
for path in string.gmatch(os.getenv("BENCH_PATHS") or "", "%S+") do paths[#paths + 1] = path end
local tokens = {}
local counter = 0
-- With at most one token every request is the same: format it once, so wrk's own Lua work per
-- request (which shares the machine's cores with the server) stays out of the comparison. A mixed load
-- formats one request per path, also once.
local fixed = nil
local mixed = {}

function init(args)
  if token_file then
    for line in io.lines(token_file) do
      if #line > 0 then tokens[#tokens + 1] = line end
    end
  end
  counter = math.random(1, 1000)
  if pad_file then
    local token = io.lines(pad_file)()
    -- "X-Padding" is 4 characters shorter than "Authorization": the value makes up for it.
    local headers = {["X-Padding"] = string.rep("p", #("Bearer " .. token) + 4)}
    fixed = wrk.format(method, nil, headers, body)
    return
  end
  if #paths > 0 then
    for index, path in ipairs(paths) do mixed[index] = build(tokens[1], path) end
    return
  end
  if #tokens <= 1 then fixed = build(tokens[1]) end
end

function build(token, path)
  local headers = {}
  if body then headers["Content-Type"] = "application/json" end
  if token then headers["Authorization"] = "Bearer " .. token end
  return wrk.format(method, path, headers, body)
end

function request()
  if fixed then return fixed end
  if #mixed > 0 then
    counter = counter + 1
    return mixed[(counter % #mixed) + 1]
  end
  counter = counter + 1
  return build(tokens[(counter % #tokens) + 1])
end

function done(summary, latency, requests)
  local errors = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, ' ..
    '"max_ms": %.3f, "errors": %d, "non_2xx": %d}\n',
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    errors.connect + errors.read + errors.write + errors.timeout, errors.status))
end
