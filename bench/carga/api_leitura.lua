-- Reading protocols through the integration API (GET /api/v1/protocolos/{numero}/): a seeded
-- number drawn from BENCH_AMOSTRAS, the system's token (BENCH_TOKEN_API). Counts the 200 answers.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local comum = require("comum")

local amostras, cabecalhos, inicio
completos, falhas, latencias = 0, 0, {}

setup = comum.setup

function init(args)
  amostras = comum.linhas(os.getenv("BENCH_AMOSTRAS"))
  math.randomseed(indice * 7919 + os.time())
  cabecalhos = comum.cabecalhos({ ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN_API") })
end

function request()
  local numero = amostras[math.random(#amostras)]:match("([^\t]+)\t")
  inicio = comum.agora_ms()
  return wrk.format("GET", "/api/v1/protocolos/" .. numero .. "/", cabecalhos)
end

function response(status, headers, body)
  if status == 200 then
    completos = completos + 1
    latencias[#latencias + 1] = comum.agora_ms() - inicio
  else
    falhas = falhas + 1
  end
end

done = comum.done
