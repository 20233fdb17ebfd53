-- One kind of request of the issue-11 mix, for one wrk process: `wrk ... URL -- KIND [HOOKS_JSONL]`.
-- bench_load.py runs one wrk per kind with its share of the connections, so each kind gets its own
-- latency histogram. Write kinds run one connection per wrk thread: a thread then has exactly one
-- request in flight, so the 2xx answer that response() sees belongs to the id request() made last,
-- and done() can print every acknowledged id for bench_load.py to look up in the database.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("tid", #threads)
end

local n, sent = 0, nil -- tid is the global setup() gives each thread
kind = nil -- a global, so done() can read it with thread:get
local hooks = {}
local json = { ["Content-Type"] = "application/json", ["Host"] = "127.0.0.1" }
local plain = { ["Host"] = "127.0.0.1" }
local writes = { heartbeat = true, hook = true, event = true, metrics = true }
local sections = { "instances", "health", "business", "financial", "waves" }
acked, bad, non2xx = {}, {}, 0

function init(args)
   kind = args[1]
   if kind == "hook" then
      for line in io.lines(args[2]) do
         local session = string.format('"session_id": "load-session-%02d"', tid)
         table.insert(hooks, (string.gsub(line, '"session_id": "[^"]*"', session)))
      end
   end
end

local function post(path, body)
   return wrk.format("POST", path, json, body)
end

function request()
   n = n + 1
   sent = string.format("%d %d", tid, n)
   if kind == "heartbeat" then
      return post(string.format("/api/instances/load-hb-%02d/heartbeat", tid), string.format(
         '{"status": "active", "name": "Load agent %d", "current_task": "load hb %s"}', tid, sent))
   elseif kind == "hook" then
      local line = hooks[(n - 1) % #hooks + 1]
      return post("/api/hooks/claude-code", string.sub(line, 1, -2) .. ', "bench_seq": "load hook ' .. sent .. '"}')
   elseif kind == "event" then
      return post(string.format("/api/instances/load-ev-%02d/events", tid),
         '{"kind": "log", "message": "load ev ' .. sent .. '"}')
   elseif kind == "metrics" then
      local points = {}
      for i = 1, 10 do
         points[i] = string.format(
            '{"module": "engagement", "key": "load_%d", "value": %d, "labels": {"seq": "load m %s"}}', i, n % 100, sent)
      end
      return post("/api/metrics", '{"points": [' .. table.concat(points, ", ") .. ']}')
   elseif kind == "overview" then
      return wrk.format("GET", "/api/dashboard/overview", plain)
   elseif kind == "section" then
      return wrk.format("GET", "/api/dashboard/" .. sections[(n - 1) % #sections + 1], plain)
   elseif kind == "page" then
      return wrk.format("GET", "/", plain)
   elseif kind == "instance" then
      local agent = string.format("agent-%02d", (n - 1) % 20)
      local path = (n % 2 == 0) and ("/instances/" .. agent) or ("/api/instances/" .. agent)
      return wrk.format("GET", path, plain)
   elseif kind == "chat" then
      return wrk.format("GET", "/api/chat", plain)
   else -- metrics_read
      return wrk.format("GET", "/api/metrics", plain)
   end
end

function response(status, headers, body)
   if status >= 200 and status < 300 then
      if writes[kind] then
         table.insert(acked, sent)
      end
   else
      non2xx = non2xx + 1
      if #bad < 3 then
         table.insert(bad, status .. " " .. string.sub(body or "", 1, 300))
      end
   end
end

function done(summary, latency, requests)
   local total = 0
   for _, thread in ipairs(threads) do
      total = total + thread:get("non2xx")
      for _, line in ipairs(thread:get("bad")) do
         io.write("BAD ", (string.gsub(line, "\n", " ")), "\n")
      end
      if writes[thread:get("kind")] then
         io.write("ACK ", table.concat(thread:get("acked"), ","), "\n")
      end
   end
   io.write("NON2XX ", total, "\n")
end
