import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * GraphiQL served from the gateway itself (these machines are offline, so no CDN): the UMD
 * builds of react, react-dom and graphiql straight from node_modules, plus a token field
 * whose value becomes the Authorization header of every request.
 */
const ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  'react.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'text/javascript' },
  'react-dom.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript' },
  'graphiql.js': { pkg: 'graphiql', file: 'dist/index.umd.js', type: 'text/javascript' },
  'graphiql.css': { pkg: 'graphiql', file: 'dist/style.css', type: 'text/css' },
};

// The packages' export maps hide their UMD builds, so they are found beside package.json.
const packageDir = (pkg: string) => path.dirname(require.resolve(`${pkg}/package.json`));

const loaded = new Map<string, Buffer>();

/** The bytes and content type of a GraphiQL asset, or undefined for an unknown name. */
export function graphiqlAsset(name: string): { body: Buffer; type: string } | undefined {
  const asset = ASSETS[name];
  if (!asset) return undefined;
  let body = loaded.get(name);
  if (!body) {
    body = readFileSync(path.join(packageDir(asset.pkg), asset.file));
    loaded.set(name, body);
  }
  return { body, type: asset.type };
}

export function graphiqlPage(endpoint: string, assetBase: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>cachegate · GraphiQL</title>
<link rel="stylesheet" href="${assetBase}/graphiql.css">
<style>
  html, body { height: 100%; margin: 0; font-family: system-ui, sans-serif; }
  body { display: flex; flex-direction: column; }
  #auth { display: flex; gap: .5rem; align-items: center; padding: .4rem .8rem; background: #0b1a2b; color: #fff; font-size: 14px; }
  #auth input { flex: 1; font-family: monospace; padding: .25rem .4rem; }
  #auth button { padding: .25rem .6rem; }
  #auth-error { padding: .4rem .8rem; background: #fde8e8; color: #8a1111; font-size: 14px; border-bottom: 1px solid #f5b5b5; }
  #auth-error[hidden] { display: none; }
  #graphiql { flex: 1; min-height: 0; }
</style>
</head>
<body>
<div id="auth">
  <strong>cachegate</strong>
  <label for="token">Authorization: Bearer</label>
  <input id="token" placeholder="paste a token (npm run token -- --user alice --role admin)" autocomplete="off">
  <button id="clear-token" type="button" title="Forget the token and reload the schema without it">Clear token</button>
</div>
<div id="auth-error" role="alert" hidden></div>
<div id="graphiql">Loading…</div>
<script src="${assetBase}/react.js"></script>
<script src="${assetBase}/react-dom.js"></script>
<script src="${assetBase}/graphiql.js"></script>
<script>
  const TOKEN_KEY = 'cachegate:token';
  const tokenInput = document.getElementById('token');
  const authError = document.getElementById('auth-error');
  tokenInput.value = localStorage.getItem(TOKEN_KEY) || '';
  tokenInput.addEventListener('input', () => localStorage.setItem(TOKEN_KEY, tokenInput.value.trim()));
  const bearer = () => tokenInput.value.trim().replace(/^Bearer\\s+/i, '');

  // The gateway says why it refused a token (expired, another secret, malformed); GraphiQL alone
  // would only say "Error fetching schema". Shown here until the token changes or is cleared.
  function showRejection(message) {
    authError.textContent = 'The gateway refused the token: ' + message + '. Paste another one or clear it. (Until then the docs are loaded without it.)';
    authError.hidden = false;
  }
  function hideRejection() {
    authError.hidden = true;
    authError.textContent = '';
  }
  const rejectionOf = (body) => (body && body.errors || []).find((e) => e && e.extensions && e.extensions.code === 'UNAUTHENTICATED');

  async function post(params, headers) {
    const res = await fetch(${JSON.stringify(endpoint)}, { method: 'POST', headers, body: JSON.stringify(params) });
    return res.json();
  }
  async function fetcher(params, opts) {
    const headers = Object.assign({ 'content-type': 'application/json', accept: 'application/json' }, (opts && opts.headers) || {});
    const token = bearer();
    const sent = Boolean(token && !headers.authorization && !headers.Authorization);
    if (sent) headers.authorization = 'Bearer ' + token;
    const body = await post(params, headers);
    const rejected = sent && rejectionOf(body);
    if (!rejected) {
      if (sent) hideRejection();
      return body;
    }
    showRejection(rejected.message);
    // The schema is public: load it without the refused token, so the docs work while it is fixed.
    if (params && params.operationName === 'IntrospectionQuery') {
      delete headers.authorization;
      return post(params, headers);
    }
    return body;
  }
  const root = ReactDOM.createRoot(document.getElementById('graphiql'));
  let mount = 0;
  // A new key mounts GraphiQL afresh, so the schema is fetched again with the token as it is now.
  function render() {
    root.render(React.createElement(GraphiQL, {
      key: mount++,
      fetcher,
      defaultEditorToolsVisibility: true,
      defaultQuery: '# Welcome to cachegate.\\n{\\n  datasets(limit: 5) {\\n    id\\n    name\\n    rowCount\\n    columns { name type }\\n  }\\n}\\n',
    }));
  }
  tokenInput.addEventListener('change', () => {
    hideRejection();
    render();
  });
  document.getElementById('clear-token').addEventListener('click', () => {
    tokenInput.value = '';
    localStorage.removeItem(TOKEN_KEY);
    hideRejection();
    render();
  });
  render();
</script>
</body>
</html>`;
}
