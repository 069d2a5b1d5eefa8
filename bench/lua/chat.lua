-- wrk script for bench/run: POST /v1/chat/completions with a small JSON body.
-- Environment:
--   BENCH_MODEL      model name (default bench-model)
--   BENCH_HEADERS    extra headers, "Name: value" separated by "|" (e.g. Portkey's two)
--   BENCH_DELAY_MS   per-connection delay between requests (fixed-rate runs; default 0)
--   BENCH_TAG        label echoed in the result line
-- done() prints one machine-readable line:
--   BENCH_RESULT tag=... requests=N duration_us=N rps=F p50_us=F p99_us=F max_us=F mean_us=F
--                non2xx=N connect_err=N read_err=N write_err=N timeout_err=N bytes=N
local model = os.getenv("BENCH_MODEL") or "bench-model"
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0") or 0
local tag = os.getenv("BENCH_TAG") or "run"

wrk.method = "POST"
wrk.path = os.getenv("BENCH_PATH") or "/v1/chat/completions"
wrk.body = '{"model":"' .. model .. '","messages":[{"role":"user","content":"Say hello."}],"max_tokens":16}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench"
local extra = os.getenv("BENCH_HEADERS") or ""
for pair in string.gmatch(extra, "[^|]+") do
  local name, value = string.match(pair, "^%s*([^:]+):%s*(.-)%s*$")
  if name then wrk.headers[name] = value end
end

if delay_ms > 0 then
  function delay()
    return delay_ms
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "BENCH_RESULT tag=%s requests=%d duration_us=%d rps=%.1f p50_us=%.1f p99_us=%.1f max_us=%.1f mean_us=%.1f " ..
    "non2xx=%d connect_err=%d read_err=%d write_err=%d timeout_err=%d bytes=%d\n",
    tag, summary.requests, summary.duration, summary.requests / secs,
    latency:percentile(50), latency:percentile(99), latency.max, latency.mean,
    e.status, e.connect, e.read, e.write, e.timeout, summary.bytes))
end
