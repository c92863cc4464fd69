-- One logged-in page (BENCH_CAMINHO) requested over and over, each connection with its own session
-- (BENCH_SESSOES: one session key a line, connection i takes line i). Counts the 200 answers and
-- their latency.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local comum = require("comum")

local caminho, cabecalhos, inicio
completos, falhas, latencias = 0, 0, {}

setup = comum.setup

function init(args)
  local sessoes = comum.linhas(os.getenv("BENCH_SESSOES"))
  caminho = os.getenv("BENCH_CAMINHO")
  cabecalhos = comum.cabecalhos({ ["Cookie"] = "sessionid=" .. sessoes[(indice - 1) % #sessoes + 1] })
end

function request()
  inicio = comum.agora_ms()
  return wrk.format("GET", caminho, cabecalhos)
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
