-- Opening protocols through the integration API (POST /api/v1/protocolos/), as a telephone menu
-- does it: a JSON body with the channel and the CPF of a seeded consumer (BENCH_AMOSTRAS), the
-- system's token (BENCH_TOKEN_API) and an Idempotency-Key of its own per request. An opening counts
-- when it answers 201; its latency is the POST's.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local comum = require("comum")

local amostras, cabecalhos, inicio, contador
completos, falhas, latencias = 0, 0, {}

setup = comum.setup

function init(args)
  amostras = comum.linhas(os.getenv("BENCH_AMOSTRAS"))
  -- The two wrk processes (one per app server) differ by port: their keys and draws must too.
  math.randomseed(indice * 104729 + os.time() + tonumber(wrk.port) * 7)
  cabecalhos = comum.cabecalhos({
    ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN_API"),
    ["Content-Type"] = "application/json",
  })
  contador = 0
end

function request()
  local _, cpf = amostras[math.random(#amostras)]:match("([^\t]+)\t([^\t]+)")
  contador = contador + 1
  -- A random part too: a round that starts within the second the last one ended has the same
  -- thread indices and counters, and a reused key with another body is refused.
  cabecalhos["Idempotency-Key"] = string.format(
    "bench-%s-%d-%d-%d-%d", wrk.port, os.time(), indice, contador, math.random(1000000000)
  )
  inicio = comum.agora_ms()
  return wrk.format("POST", "/api/v1/protocolos/", cabecalhos, '{"canal": "telefone", "cpf": "' .. cpf .. '"}')
end

function response(status, headers, body)
  if status == 201 then
    completos = completos + 1
    latencias[#latencias + 1] = comum.agora_ms() - inicio
  else
    falhas = falhas + 1
  end
end

done = comum.done
