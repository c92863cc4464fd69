-- The status page a consumer reloads: each connection looks a protocol up once (GET /, POST number
-- and CPF, as consulta.lua does), then asks for that protocol's page again and again with the session
-- that lookup granted. Counts each page that came back; its latency is that GET's.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local comum = require("comum")

local amostras, etapa, csrf, token, sessao, destino, inicio, sorteada
completos, falhas, latencias = 0, 0, {}

setup = comum.setup

function init(args)
  amostras = comum.linhas(os.getenv("BENCH_AMOSTRAS"))
  math.randomseed(indice * 7919 + os.time())
  etapa = 0
end

function request()
  if etapa == 0 then
    return wrk.format("GET", "/", comum.cabecalhos())
  elseif etapa == 1 then
    local numero, cpf = amostras[math.random(#amostras)]:match("([^\t]+)\t([^\t]+)")
    sorteada = numero
    local corpo = "csrfmiddlewaretoken=" .. comum.urlencode(token) .. "&numero=" .. numero .. "&cpf=" .. cpf
    return wrk.format("POST", "/consultar/", comum.cabecalhos({
      ["Cookie"] = "csrftoken=" .. csrf,
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Origin"] = "https://" .. wrk.host .. ":" .. wrk.port,
      ["Referer"] = "https://" .. wrk.host .. ":" .. wrk.port .. "/",
    }), corpo)
  else
    inicio = comum.agora_ms()
    return wrk.format("GET", destino, comum.cabecalhos({ ["Cookie"] = "csrftoken=" .. csrf .. "; sessionid=" .. sessao }))
  end
end

function response(status, headers, body)
  if etapa == 0 then
    csrf, token = comum.cookie(headers, "csrftoken"), comum.token(body)
    if status == 200 and csrf and token then etapa = 1 else falhas = falhas + 1 end
  elseif etapa == 1 then
    sessao, destino = comum.cookie(headers, "sessionid"), headers["Location"]
    if status == 302 and sessao and destino then etapa = 2 else falhas = falhas + 1; etapa = 0 end
  else
    if status == 200 and body:find(sorteada:sub(1, 4), 1, true) then
      completos = completos + 1
      latencias[#latencias + 1] = comum.agora_ms() - inicio
    else
      falhas = falhas + 1
      etapa = 0
    end
  end
end

done = comum.done
