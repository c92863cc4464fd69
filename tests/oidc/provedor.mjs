// A real OpenID Provider for the sign-in tests (tests/oidc/), on loopback: the certified
// oidc-provider with its development login form (any login name, any password), one confidential
// client that must use PKCE with S256, and accounts whose claims the test chooses.
//
// Environment:
//   PROVEDOR_HOST      host of the issuer it announces (default 127.0.0.1); "localhost" makes an
//                      issuer that differs from the address the portal was told
//   PROVEDOR_CLIENTE, PROVEDOR_SEGREDO   the client's id and secret
//   PROVEDOR_RETORNOS  redirect URIs, comma-separated
//   PROVEDOR_CONTAS    JSON {login: {claim: value}}, over {"sub": login, "cpf": login}
//   PROVEDOR_TTL_ID    ID token lifetime in seconds (default 3600)
// It listens on a free port of 127.0.0.1 and prints one JSON line: {"porta": N, "emissor": "..."}.

import http from 'node:http';

import Provider from 'oidc-provider';

const ambiente = process.env;
const contas = JSON.parse(ambiente.PROVEDOR_CONTAS || '{}');
const servidor = http.createServer();

servidor.listen(0, '127.0.0.1', () => {
  const { port } = servidor.address();
  const emissor = `http://${ambiente.PROVEDOR_HOST || '127.0.0.1'}:${port}`;
  const escopos = ['openid', 'cpf'];
  const reivindicacoes = [...new Set(Object.values(contas).flatMap((c) => Object.keys(c)).concat(['cpf']))];

  const provedor = new Provider(emissor, {
    clients: [{
      client_id: ambiente.PROVEDOR_CLIENTE,
      client_secret: ambiente.PROVEDOR_SEGREDO,
      redirect_uris: ambiente.PROVEDOR_RETORNOS.split(','),
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    pkce: { methods: ['S256'], required: () => true },
    // Every claim the account has, under the "cpf" scope, also inside the ID token.
    claims: { openid: ['sub'], cpf: reivindicacoes.filter((r) => r !== 'sub') },
    conformIdTokenClaims: false,
    ttl: { IdToken: Number(ambiente.PROVEDOR_TTL_ID || 3600) },
    cookies: { keys: ['chave-dos-cookies-do-provedor-de-teste'] },
    async findAccount(ctx, id) {
      return {
        accountId: id,
        async claims() {
          return { sub: id, cpf: id, ...contas[id] };
        },
      };
    },
    // The client is first-party: no consent screen, every scope granted at once.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope(escopos.join(' '));
      grant.addOIDCClaims(reivindicacoes);
      await grant.save();
      return grant;
    },
  });
  servidor.on('request', provedor.callback());
  process.stdout.write(`${JSON.stringify({ porta: port, emissor })}\n`);
});

process.on('SIGTERM', () => servidor.close(() => process.exit(0)));
