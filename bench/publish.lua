-- wrk script: POST /api/v2/publish with a bearer token; prints a JSON summary at the end.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("HERALD_BENCH_TOKEN")
local counter = 0

request = function()
  counter = counter + 1
  local body = string.format('{"content": "bench post %d-%d", "platforms": ["twitter"]}', math.random(1, 1e9), counter)
  return wrk.format(nil, "/api/v2/publish", nil, body)
end

done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "errors": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, errors, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
