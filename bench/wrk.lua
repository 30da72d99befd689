-- The request wrk sends in `npm run bench`, and the figures it hands back (bench/wrk.js runs it).
--   wrk -s bench/wrk.lua <url> -- POST <tag> <body before the name> <body after the name>
--   wrk -s bench/wrk.lua <url> -- GET
-- A POST's body carries a client_name of its own on every request, "<tag>-<thread>-<n>", so that the
-- server stores distinct registrations, as a test suite would make them. done() prints one line,
-- "@@dcr-bench-wrk <json>", with the counts and the latency percentiles in microseconds.

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("id", thread_count)
  table.insert(threads, thread)
end

local fixed
local prefix
local suffix
local counter = 0

function init(args)
  if args[1] == "POST" then
    prefix = args[3] .. args[2] .. "-" .. id .. "-"
    suffix = args[4]
  else
    fixed = wrk.format("GET", wrk.path)
  end
end

function request()
  if fixed then
    return fixed
  end
  counter = counter + 1
  return wrk.format("POST", wrk.path, { ["Content-Type"] = "application/json" }, prefix .. counter .. suffix)
end

function done(summary, latency, requests)
  local e = summary.errors
  local p = {}
  for _, q in ipairs({ 50, 90, 99, 99.9 }) do
    table.insert(p, string.format('"%s":%d', tostring(q), latency:percentile(q)))
  end
  io.write(
    string.format(
      '@@dcr-bench-wrk {"duration_us":%d,"requests":%d,"bytes":%d,'
        .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
        .. '"latency_us":{"min":%d,"max":%d,"mean":%.1f,"stdev":%.1f,"percentiles":{%s}}}\n',
      summary.duration,
      summary.requests,
      summary.bytes,
      e.connect,
      e.read,
      e.write,
      e.status,
      e.timeout,
      latency.min,
      latency.max,
      latency.mean,
      latency.stdev,
      table.concat(p, ",")
    )
  )
end
