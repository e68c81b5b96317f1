-- Prints wrk's summary as one JSON line the harness parses.
-- With BENCH_PATHS_FILE set, each request takes the next path from that file,
-- so a detail benchmark spreads over many products rather than one.

wrk.headers["Accept"] = "application/json"

local paths_file = os.getenv("BENCH_PATHS_FILE")
local thread_count = 0

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
end

if paths_file then
  local paths = {}
  for line in io.lines(paths_file) do
    if line ~= "" then
      paths[#paths + 1] = line
    end
  end
  local position = 0

  function init(args)
    -- Threads start at different points of the list.
    position = (thread_index or 0) * 7919 % #paths
  end

  function request()
    position = position % #paths + 1
    return wrk.format(nil, paths[position])
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"duration_us": %d, "requests": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "stdev": %.1f, "max": %d, ' ..
    '"p50": %d, "p75": %d, "p90": %d, "p99": %d}}\n',
    summary.duration, summary.requests, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(75),
    latency:percentile(90), latency:percentile(99)))
end
