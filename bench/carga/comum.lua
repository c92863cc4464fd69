-- Shared by the load scripts: a monotonic clock, cookies, form tokens, samples and the summary line
-- the orchestrator (bench/executar.py) reads. Every script runs one connection per wrk thread, so a
-- thread's Lua state is that connection's state (cookies, step of the flow).
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")

local M = {}

function M.agora_ms()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

function M.cookie(headers, nome)
  local valor = headers["Set-Cookie"] or headers["set-cookie"] or ""
  return valor:match(nome .. "=([^;]+)")
end

function M.token(body)
  return body:match('name="csrfmiddlewaretoken" value="([^"]+)"')
end

function M.urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function M.linhas(caminho)
  local t = {}
  for linha in io.lines(caminho) do
    if linha ~= "" then t[#t + 1] = linha end
  end
  return t
end

-- The headers a load balancer in front of the app would add: the request came over HTTPS.
function M.cabecalhos(extra)
  local h = { ["X-Forwarded-Proto"] = "https" }
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end

local threads = {}

function M.setup(thread)
  thread:set("indice", #threads + 1)
  threads[#threads + 1] = thread
end

local function percentil(valores, p)
  if #valores == 0 then return 0 end
  table.sort(valores)
  local i = math.max(1, math.ceil(#valores * p / 100))
  return valores[i]
end

-- One JSON line: completed operations, failures, their latencies (ms) and the wrk totals.
function M.done(summary)
  local completos, falhas, latencias = 0, 0, {}
  for _, thread in ipairs(threads) do
    completos = completos + (thread:get("completos") or 0)
    falhas = falhas + (thread:get("falhas") or 0)
    for _, v in ipairs(thread:get("latencias") or {}) do latencias[#latencias + 1] = v end
  end
  local e = summary.errors
  io.write(string.format(
    'RESULTADO {"completos": %d, "falhas": %d, "segundos": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, ' ..
    '"p99_ms": %.2f, "requisicoes": %d, "erros_wrk": %d}\n',
    completos, falhas, summary.duration / 1e6, percentil(latencias, 50), percentil(latencias, 95),
    percentil(latencias, 99), summary.requests, e.connect + e.read + e.write + e.status + e.timeout))
end

return M
