-- Sends prepared requests: each line of BENCH_REQUESTS_FILE is a method, a
-- path, an API token, an idempotency key (may be empty) and a JSON body,
-- tab-separated. Thread i of n (BENCH_THREADS) sends lines i, i+n, i+2n, ...,
-- so no line goes twice until the file runs out. Reports like report.lua.

dofile(os.getenv("BENCH_REPORT_LUA"))

local prepared = {}
for line in io.lines(os.getenv("BENCH_REQUESTS_FILE")) do
  local method, path, token, key, body =
    line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
  if method then
    prepared[#prepared + 1] = {
      method = method, path = path, token = token, key = key, body = body,
    }
  end
end
local position, stride = 0, 1

function init(args)
  position = thread_index or 0
  stride = tonumber(os.getenv("BENCH_THREADS") or "1")
end

function request()
  local r = prepared[position % #prepared + 1]
  position = position + stride
  local headers = {
    ["Accept"] = "application/json",
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Token " .. r.token,
  }
  if r.key ~= "" then
    headers["Idempotency-Key"] = r.key
  end
  return wrk.format(r.method, r.path, headers, r.body)
end
