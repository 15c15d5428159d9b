// A local OpenID Provider for development and tests: two issuers from the certified `oidc-provider`
// package, one shaped like ID-porten and one like HelseID, holding the demo personas.
//
//   node devtools/oidc/provider.mjs [--host 127.0.0.1] [--idporten-port 0] [--helseid-port 0]
//
// When both issuers listen, one JSON line goes to stdout: {"idporten": "<issuer>", "helseid": "<issuer>"}.
//
// Environment:
//   OIDC_DEV_IDPORTEN_CLIENT_ID / OIDC_DEV_IDPORTEN_CLIENT_SECRET  the ID-porten-like client (client_secret_basic)
//   OIDC_DEV_HELSEID_CLIENT_ID / OIDC_DEV_HELSEID_KEY              the HelseID-like client (private_key_jwt + PAR);
//       OIDC_DEV_HELSEID_KEY is a PEM file with the client's private RSA key: created (0600) when missing.
//   OIDC_DEV_TAMPERING=1   tests only: POST /__test__/tamper {"mode": ...} rewrites the next ID token
//                          (wrong_aud, wrong_iss, expired, alg_none, hs256_public_key, wrong_nonce,
//                          nonce=<value>, low_acr, drop_pid).
//
// This is NOT an identity provider for production: any persona logs in without a password, and any
// redirect URI on the loopback interface (or Django's test host) is accepted.

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

import { PERSONAS } from './personas.mjs';

const { values: args } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    'idporten-port': { type: 'string', default: '0' },
    'helseid-port': { type: 'string', default: '0' },
  },
});

const env = process.env;
const IDPORTEN_CLIENT_ID = env.OIDC_DEV_IDPORTEN_CLIENT_ID || 'medlemsportal-dev';
const IDPORTEN_CLIENT_SECRET = env.OIDC_DEV_IDPORTEN_CLIENT_SECRET || 'dev-only-idporten-secret';
const HELSEID_CLIENT_ID = env.OIDC_DEV_HELSEID_CLIENT_ID || 'medlemsportal-helseid-dev';
const HELSEID_KEY = env.OIDC_DEV_HELSEID_KEY || path.join('var', 'oidc', 'helseid-client-key.pem');
const TAMPERING = env.OIDC_DEV_TAMPERING === '1';

const ACR_IDPORTEN = ['idporten-loa-low', 'idporten-loa-substantial', 'idporten-loa-high'];
const ACR_HELSEID = ['idporten-loa-substantial', 'idporten-loa-high'];

function helseidClientPublicJwk() {
  if (!fs.existsSync(HELSEID_KEY)) {
    fs.mkdirSync(path.dirname(HELSEID_KEY), { recursive: true });
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    fs.writeFileSync(HELSEID_KEY, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  const jwk = crypto.createPublicKey(fs.readFileSync(HELSEID_KEY)).export({ format: 'jwk' });
  return { ...jwk, use: 'sig', alg: 'RS256' };
}

function signingKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: crypto.randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' };
}

const devRedirect = /^http:\/\/(127\.0\.0\.1|localhost|testserver)(:\d+)?\//;

function claimsFor(flavour, persona) {
  if (flavour === 'helseid') {
    return {
      'helseid://claims/identity/pid': persona.pid,
      'helseid://claims/hpr/hpr_number': persona.hpr || undefined,
      name: persona.name,
      given_name: persona.given_name,
      family_name: persona.family_name,
    };
  }
  return { pid: persona.pid, name: persona.name, given_name: persona.given_name, family_name: persona.family_name };
}

function configuration(flavour, jwks) {
  const idporten = flavour === 'idporten';
  const client = idporten
    ? {
        client_id: IDPORTEN_CLIENT_ID,
        client_secret: IDPORTEN_CLIENT_SECRET,
        token_endpoint_auth_method: 'client_secret_basic',
      }
    : {
        client_id: HELSEID_CLIENT_ID,
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'RS256',
        require_pushed_authorization_requests: true,
        jwks: { keys: [helseidClientPublicJwk()] },
      };
  return {
    clients: [
      {
        ...client,
        redirect_uris: ['http://127.0.0.1:8000/accounts/oidc/' + flavour + '/callback/'],
        post_logout_redirect_uris: ['http://127.0.0.1:8000/accounts/login/'],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        id_token_signed_response_alg: 'RS256',
        scope: idporten ? 'openid profile' : 'openid profile helseid://scopes/identity/pid helseid://scopes/hpr/hpr_number',
      },
    ],
    jwks,
    acrValues: idporten ? ACR_IDPORTEN : ACR_HELSEID,
    claims: idporten
      ? { openid: ['sub'], profile: ['pid', 'name', 'given_name', 'family_name'] }
      : {
          openid: ['sub'],
          profile: ['name', 'given_name', 'family_name'],
          'helseid://scopes/identity/pid': ['helseid://claims/identity/pid'],
          'helseid://scopes/hpr/hpr_number': ['helseid://claims/hpr/hpr_number'],
        },
    scopes: idporten
      ? ['openid', 'profile']
      : ['openid', 'profile', 'helseid://scopes/identity/pid', 'helseid://scopes/hpr/hpr_number'],
    // ID-porten puts the identity claims in the ID token itself.
    conformIdTokenClaims: false,
    pkce: { required: () => true, methods: ['S256'] },
    features: {
      devInteractions: { enabled: false },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      rpInitiatedLogout: { enabled: true },
      claimsParameter: { enabled: false },
    },
    cookies: { keys: [crypto.randomBytes(16).toString('hex')] },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, id) {
      const persona = PERSONAS.find((p) => p.sub === id);
      if (!persona) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...claimsFor(flavour, persona) }) };
    },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Feil', `<h1>Feil</h1><p>${escape(out.error)}: ${escape(out.error_description || '')}</p>`);
    },
  };
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body, lang = 'nb') {
  return `<!doctype html><html lang="${escape(lang)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title></head>
<body><main>${body}</main></body></html>`;
}

function loginPage(flavour, uid, params) {
  const requested = String(params.acr_values || '').split(' ').filter(Boolean);
  const levels = flavour === 'idporten' ? ACR_IDPORTEN : ACR_HELSEID;
  const chosen = requested.find((v) => levels.includes(v)) || levels[levels.length - 2];
  const personas = PERSONAS.filter((p) => flavour === 'idporten' || p.hpr)
    .map(
      (p, i) => `<div><input type="radio" name="sub" id="p${i}" value="${escape(p.sub)}"${i === 0 ? ' checked' : ''}>
<label for="p${i}">${escape(p.name)} (${escape(p.description)})</label></div>`,
    )
    .join('\n');
  const acr = levels
    .map((v) => `<option value="${escape(v)}"${v === chosen ? ' selected' : ''}>${escape(v)}</option>`)
    .join('');
  const name = flavour === 'idporten' ? 'ID-porten (test)' : 'HelseID (test)';
  return page(
    `${name}: logg inn`,
    `<h1>${escape(name)}</h1>
<p>Lokal testleverandør: velg en testperson. Ingen ekte identitet brukes.</p>
<form method="post" action="/interaction/${escape(uid)}/login">
<fieldset><legend>Testperson</legend>${personas}</fieldset>
<p><label for="acr">Sikkerhetsnivå</label> <select id="acr" name="acr">${acr}</select></p>
<p><button type="submit" name="action" value="login">Logg inn</button>
<button type="submit" name="action" value="cancel">Avbryt</button></p>
</form>`,
    String(params.ui_locales || 'nb').split(' ')[0],
  );
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// ---------------------------------------------------------------- tests only: rewriting the next ID token

const b64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function forge(idToken, mode, privateJwk, publicJwk) {
  const [h, p] = idToken.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString());
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  const now = Math.floor(Date.now() / 1000);
  if (mode === 'wrong_aud') claims.aud = 'someone-else';
  if (mode === 'wrong_iss') claims.iss = 'https://attacker.example/';
  if (mode === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  if (mode === 'wrong_nonce') claims.nonce = crypto.randomBytes(16).toString('base64url');
  if (mode === 'low_acr') claims.acr = 'idporten-loa-low';
  if (mode.startsWith('nonce=')) claims.nonce = mode.slice('nonce='.length);
  if (mode === 'drop_pid') {
    delete claims.pid;
    delete claims['helseid://claims/identity/pid'];
  }
  if (mode === 'alg_none') return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`;
  if (mode === 'hs256_public_key') {
    const input = `${b64url({ alg: 'HS256', typ: 'JWT', kid: header.kid })}.${b64url(claims)}`;
    const secret = crypto.createPublicKey({ key: publicJwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    return `${input}.${crypto.createHmac('sha256', secret).update(input).digest('base64url')}`;
  }
  const input = `${b64url(header)}.${b64url(claims)}`;
  const key = crypto.createPrivateKey({ key: privateJwk, format: 'jwk' });
  return `${input}.${crypto.sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

// ------------------------------------------------------------------------------------------------ serve

async function start(flavour, port) {
  const key = signingKey();
  const { d, p, q, dp, dq, qi, ...publicJwk } = key; // eslint-disable-line no-unused-vars
  const server = http.createServer();
  await new Promise((resolve) => server.listen(Number(port), args.host, resolve));
  const issuer = `http://${args.host}:${server.address().port}`;
  const provider = new Provider(issuer, configuration(flavour, { keys: [key] }));
  provider.Client.prototype.redirectUriAllowed = function allowed(uri) {
    return devRedirect.test(uri) && uri.includes(`/accounts/oidc/${flavour}/callback/`);
  };
  provider.Client.prototype.postLogoutRedirectUriAllowed = function allowed(uri) {
    return devRedirect.test(uri);
  };
  let tamper = null;
  if (TAMPERING) {
    provider.use(async (ctx, next) => {
      await next();
      if (tamper && ctx.path === '/token' && ctx.body && ctx.body.id_token) {
        ctx.body = { ...ctx.body, id_token: forge(ctx.body.id_token, tamper, key, publicJwk) };
        tamper = null;
      }
    });
  }
  const callback = provider.callback();
  server.on('request', async (req, res) => {
    try {
      const url = new URL(req.url, issuer);
      const match = url.pathname.match(/^\/interaction\/([^/]+)(\/login)?$/);
      if (TAMPERING && url.pathname === '/__test__/tamper' && req.method === 'POST') {
        tamper = (await readForm(req)).get('mode');
        res.writeHead(204).end();
        return;
      }
      if (!match) {
        callback(req, res);
        return;
      }
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'consent') {
        const grant = details.grantId
          ? await provider.Grant.find(details.grantId)
          : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
        grant.addOIDCScope(String(details.params.scope));
        await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
        return;
      }
      if (!match[2]) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(loginPage(flavour, details.uid, details.params));
        return;
      }
      const form = await readForm(req);
      if (form.get('action') === 'cancel') {
        await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'End-User aborted interaction' });
        return;
      }
      const persona = PERSONAS.find((p) => p.sub === form.get('sub'));
      if (!persona) {
        res.writeHead(400).end('unknown persona');
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: persona.sub, acr: form.get('acr') || undefined, amr: ['pwd'] } });
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    }
  });
  return issuer;
}

const [idporten, helseid] = await Promise.all([start('idporten', args['idporten-port']), start('helseid', args['helseid-port'])]);
process.stdout.write(`${JSON.stringify({ idporten, helseid })}\n`);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
