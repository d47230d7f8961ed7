import { existsSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { operationsScript } from '../../admin/operations';
import { projectRoot } from '../../lib/paths';
import { sendText } from '../http';

/**
 * The cache dashboard at /dashboard: a static page and script beside this file, and Chart.js's
 * UMD build from node_modules (these machines are offline: no CDN). The page holds no secret;
 * the admin pastes a token and the page calls /graphql with it.
 */
const FILES: Record<string, { file: () => string; type: string }> = {
  'dashboard.js': { file: () => path.join(dashboardDir(), 'dashboard.js'), type: 'text/javascript; charset=utf-8' },
  'dashboard.css': { file: () => path.join(dashboardDir(), 'dashboard.css'), type: 'text/css; charset=utf-8' },
  // chart.js's export map hides its UMD build; it sits beside the CommonJS entry point.
  'chart.js': { file: () => path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'), type: 'text/javascript; charset=utf-8' },
};

// Scripts and styles from this origin only: a pasted admin token is not for third-party code.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

/** From src/ (tests, tsx) the files are here; from dist/ they are in the source tree beside package.json. */
function dashboardDir(): string {
  return existsSync(path.join(__dirname, 'dashboard.html')) ? __dirname : path.join(projectRoot(), 'src', 'server', 'dashboard');
}

const loaded = new Map<string, Buffer>();
function read(file: string): Buffer {
  let body = loaded.get(file);
  if (!body) {
    body = readFileSync(file);
    loaded.set(file, body);
  }
  return body;
}

/** Answers /dashboard and /dashboard/assets/*; false for any other path. */
export function serveDashboard(pathname: string, res: ServerResponse): boolean {
  if (pathname === '/dashboard' || pathname === '/dashboard/') {
    sendText(res, 200, read(path.join(dashboardDir(), 'dashboard.html')), 'text/html; charset=utf-8', {
      'content-security-policy': CSP,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    return true;
  }
  if (!pathname.startsWith('/dashboard/assets/')) return false;
  if (pathname === '/dashboard/assets/operations.js') {
    sendText(res, 200, operationsScript(), 'text/javascript; charset=utf-8', {
      'cache-control': 'public, max-age=300',
      'x-content-type-options': 'nosniff',
    });
    return true;
  }
  const asset = FILES[pathname.slice('/dashboard/assets/'.length)];
  if (!asset) return false;
  sendText(res, 200, read(asset.file()), asset.type, { 'cache-control': 'public, max-age=300', 'x-content-type-options': 'nosniff' });
  return true;
}
