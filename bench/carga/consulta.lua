-- The public status lookup as a browser does it: GET / (CSRF cookie and token), POST number and
-- CPF, follow the redirect to the status page. A lookup counts when the page came back; its latency
-- runs from sending the POST to receiving the page. Samples: "número<TAB>CPF" lines (BENCH_AMOSTRAS).
-- With BENCH_RECARGA=1, the status page a consumer reloads: each connection looks a protocol up once,
-- then asks for its page again and again with the session that lookup granted; each page counts,
-- its latency that GET's.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local comum = require("comum")

local amostras, etapa, csrf, token, sessao, destino, inicio, sorteada
local recarregar = os.getenv("BENCH_RECARGA") == "1"
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
    inicio = comum.agora_ms()
    return wrk.format("POST", "/consultar/", comum.cabecalhos({
      ["Cookie"] = "csrftoken=" .. csrf,
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Origin"] = "https://" .. wrk.host .. ":" .. wrk.port,
      ["Referer"] = "https://" .. wrk.host .. ":" .. wrk.port .. "/",
    }), corpo)
  else
    if recarregar then inicio = comum.agora_ms() end
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
    local veio = status == 200 and body:find(sorteada:sub(1, 4), 1, true)
    if veio then
      completos = completos + 1
      latencias[#latencias + 1] = comum.agora_ms() - inicio
    else
      falhas = falhas + 1
    end
    -- A reload keeps the same page while it keeps coming back; a lookup starts over.
    if not (recarregar and veio) then etapa = 0 end
  end
end

done = comum.done
