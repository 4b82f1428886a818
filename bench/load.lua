-- wrk script for `python -m bench.load` and `python -m bench.cluster`: replay the request paths in
-- REQUESTS_FILE, each thread from its own offset, count what was sent and every answer outside 2xx,
-- and print the run's figures as one JSON line for the Python side.
local paths = {}
local counter = 0
local threads = 0
local every_thread = {}
sent = 0  -- globals, so that `done` can read each thread's own with thread:get
non2xx = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
  every_thread[#every_thread + 1] = thread
end

function init(args)
  for line in io.lines(os.getenv("REQUESTS_FILE")) do
    paths[#paths + 1] = line
  end
  counter = (id * 7919) % #paths  -- threads start far apart in the list
end

function request()
  counter = counter % #paths + 1
  sent = sent + 1
  return wrk.format("GET", paths[counter])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

local function total(name)
  local sum = 0
  for _, thread in ipairs(every_thread) do
    sum = sum + thread:get(name)
  end
  return sum
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "bytes": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "non2xx": %d, "sent": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration / 1e6, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, total("non2xx"), total("sent"),
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
