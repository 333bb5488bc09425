-- wrk script of the Parvis load benchmark (bench/load/run.py).
--
-- Usage: wrk ... -s report.lua http://127.0.0.1:PORT -- PATHS_FILE
--
-- PATHS_FILE holds one request path per line (with its query string). Each connection walks the
-- list round-robin, starting at a different offset, so a target can spread its requests over
-- many inputs (for example many points for /locate). With a one-line file every request is the
-- same.
--
-- At the end, one line "WRK_JSON {...}" is printed for run.py to parse: request count, duration,
-- bytes, errors (wrk counts HTTP statuses >= 400 as "status" errors; connect, read, write and
-- timeout are socket errors) and latency percentiles in microseconds. wrk only records the
-- latency of requests that completed: a request that timed out counts as an error, not as a
-- latency sample.

local paths = {}
local position = 0
local thread_count = 0

function setup(thread)
   thread:set("thread_index", thread_count)
   thread_count = thread_count + 1
end

function init(args)
   local file = args[1]
   if file == nil then
      table.insert(paths, wrk.path)
   else
      for line in io.lines(file) do
         if line ~= "" then
            table.insert(paths, line)
         end
      end
   end
   -- Spread threads over the list so they do not all ask for the same input at once.
   position = ((thread_index or 0) * 7919) % #paths
end

function request()
   position = position % #paths + 1
   return wrk.format("GET", paths[position])
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, '
         .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
         .. '"latency_us": {"min": %d, "mean": %.1f, "stdev": %.1f, "max": %d, '
         .. '"p50": %d, "p90": %d, "p95": %d, "p99": %d}}\n',
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency.min, latency.mean, latency.stdev, latency.max,
      latency:percentile(50), latency:percentile(90), latency:percentile(95),
      latency:percentile(99)
   ))
end
