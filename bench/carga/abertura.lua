-- Opening protocols on the public portal (/abrir/), as the consumer does it: one GET for the CSRF
-- cookie and token and the subjects offered, then one POST per protocol, each with the CPF, name
-- and e-mail of a seeded consumer (BENCH_AMOSTRAS). An opening counts when the POST answers with
-- the redirect to its receipt; its latency is the POST's.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local comum = require("comum")

local amostras, csrf, token, categorias, inicio, pronto
completos, falhas, latencias = 0, 0, {}

setup = comum.setup

function init(args)
  amostras = comum.linhas(os.getenv("BENCH_AMOSTRAS"))
  math.randomseed(indice * 104729 + os.time())
  pronto = false
end

function request()
  if not pronto then
    return wrk.format("GET", "/abrir/", comum.cabecalhos())
  end
  local _, cpf = amostras[math.random(#amostras)]:match("([^\t]+)\t([^\t]+)")
  local corpo = "csrfmiddlewaretoken=" .. comum.urlencode(token) .. "&cpf=" .. cpf ..
    "&nome=Consumidor+de+Teste&email=consumidor%40exemplo.com.br&categoria=" .. categorias[math.random(#categorias)] ..
    "&objeto=Cobran%C3%A7a+indevida+na+fatura+deste+m%C3%AAs."
  inicio = comum.agora_ms()
  return wrk.format("POST", "/abrir/", comum.cabecalhos({
    ["Cookie"] = "csrftoken=" .. csrf,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Origin"] = "https://" .. wrk.host .. ":" .. wrk.port,
    ["Referer"] = "https://" .. wrk.host .. ":" .. wrk.port .. "/abrir/",
  }), corpo)
end

function response(status, headers, body)
  if not pronto then
    csrf, token = comum.cookie(headers, "csrftoken"), comum.token(body)
    categorias = {}
    for valor in body:gmatch('<option value="(%d+)"') do categorias[#categorias + 1] = valor end
    if status == 200 and csrf and token and #categorias > 0 then pronto = true else falhas = falhas + 1 end
    return
  end
  local destino = headers["Location"] or ""
  if status == 302 and destino:find("/comprovante/", 1, true) then
    completos = completos + 1
    latencias[#latencias + 1] = comum.agora_ms() - inicio
  else
    falhas = falhas + 1
  end
end

done = comum.done
