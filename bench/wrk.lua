-- The request wrk sends in `npm run bench`, and the figures it hands back (bench/wrk.js runs it).
--   wrk -s bench/wrk.lua <url> -- POST <tag> <body before the name> <body after the name>
--   wrk -s bench/wrk.lua <url> -- GET
--   wrk -s bench/wrk.lua <url> -- POOL <file> <body before the value> <body after the value> [<next>]
--   wrk -s bench/wrk.lua <url> -- FIXED <method> <body> [<header> <value>]...
-- A POST's body carries a client_name of its own on every request, "<tag>-<thread>-<n>", so that the
-- server stores distinct registrations, as a test suite would make them.
-- A POOL request is a form POST that spends one value of <file> (one a line: a code, a refresh token).
-- With <next>, a 200 answer's "<next>" member goes back into the pool: the refresh token a rotation
-- returns is the one the next request of that family sends. An empty pool ends the round at once
-- (wrk still reports the whole duration, so run.js warns that the figure is too low).
-- A FIXED request is the same every time: the method, the headers and the body given (the MCP row's
-- tools/call with its access token).
-- done() prints one line, "@@dcr-bench-wrk <json>", with the counts and the latency percentiles in
-- microseconds, and for a POOL how many values were loaded and left, and whether the pool ran dry.

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

local pool
local pool_size = 0
local next_member
-- Globals, so that done() can read them with thread:get().
loaded = nil
left = 0
dry = 0

function init(args)
  if args[1] == "POST" then
    prefix = args[3] .. args[2] .. "-" .. id .. "-"
    suffix = args[4]
  elseif args[1] == "POOL" then
    pool = {}
    for line in io.lines(args[2]) do
      if line ~= "" then
        pool_size = pool_size + 1
        pool[pool_size] = line
      end
    end
    loaded = pool_size
    prefix = args[3]
    suffix = args[4]
    if args[5] and args[5] ~= "" then
      next_member = '"' .. args[5] .. '":"([^"]+)"'
      -- Defined only here: with a response() wrk reads every answer's headers and body.
      response = pooled
    end
    left = pool_size
  elseif args[1] == "FIXED" then
    local headers = {}
    for i = 4, #args - 1, 2 do
      headers[args[i]] = args[i + 1]
    end
    fixed = wrk.format(args[2], wrk.path, headers, args[3])
  else
    fixed = wrk.format("GET", wrk.path)
  end
end

function request()
  if fixed then
    return fixed
  end
  if pool then
    if pool_size == 0 then
      dry = dry + 1
      wrk.thread:stop()
      return wrk.format("GET", "/")
    end
    local value = pool[pool_size]
    pool[pool_size] = nil
    pool_size = pool_size - 1
    left = pool_size
    return wrk.format("POST", wrk.path, { ["Content-Type"] = "application/x-www-form-urlencoded" }, prefix .. value .. suffix)
  end
  counter = counter + 1
  return wrk.format("POST", wrk.path, { ["Content-Type"] = "application/json" }, prefix .. counter .. suffix)
end

function pooled(status, headers, body)
  if status == 200 then
    local value = body:match(next_member)
    if value then
      pool_size = pool_size + 1
      pool[pool_size] = value
      left = pool_size
    end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local p = {}
  for _, q in ipairs({ 50, 90, 99, 99.9 }) do
    table.insert(p, string.format('"%s":%d', tostring(q), latency:percentile(q)))
  end
  local pool_json = ""
  local t = threads[1]
  if t and t:get("loaded") then
    pool_json = string.format(',"pool":{"loaded":%d,"left":%d,"dry":%d}', t:get("loaded"), t:get("left"), t:get("dry"))
  end
  io.write(
    string.format(
      '@@dcr-bench-wrk {"duration_us":%d,"requests":%d,"bytes":%d,'
        .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
        .. '"latency_us":{"min":%d,"max":%d,"mean":%.1f,"stdev":%.1f,"percentiles":{%s}}%s}\n',
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
      table.concat(p, ","),
      pool_json
    )
  )
end
