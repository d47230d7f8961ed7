/**
 * A Redis URL fit for logs and health answers: the password replaced by `****`, the user
 * kept (redis://user:****@host:port). Something that is not a URL is not echoed at all.
 */
export function maskRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(unparseable Redis URL)';
  }
  if (parsed.password) parsed.password = '****';
  for (const name of ['password', 'pass']) if (parsed.searchParams.has(name)) parsed.searchParams.set(name, '****');
  return parsed.toString().replace(/\/$/, '');
}
