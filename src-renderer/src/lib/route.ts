// Hash routes, so that a reload keeps the view: #/start, #/new, #/sessions, #/sessions/12, #/hosts,
// #/compare/12/14, #/certificates, #/certificates/3, #/certificates/csr/2, #/servers, #/proxy, #/about.

export type Route =
  | { name: 'start' }
  | { name: 'new-client' }
  | { name: 'sessions' }
  | { name: 'session'; id: number }
  | { name: 'compare'; a: number; b: number }
  | { name: 'hosts' }
  | { name: 'certificates' }
  | { name: 'certificate'; id: number }
  | { name: 'csr'; id: number }
  | { name: 'servers' }
  | { name: 'proxy' }
  | { name: 'about' }
  | { name: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/[?].*$/, '').replace(/\/+$/, '');
  if (path === '' || path === '/new') return { name: 'new-client' };
  if (path === '/start') return { name: 'start' };
  if (path === '/sessions') return { name: 'sessions' };
  if (path === '/hosts') return { name: 'hosts' };
  if (path === '/about') return { name: 'about' };
  if (path === '/servers') return { name: 'servers' };
  if (path === '/proxy') return { name: 'proxy' };
  if (path === '/certificates') return { name: 'certificates' };
  const certificate = /^\/certificates\/(\d+)$/.exec(path);
  if (certificate) return { name: 'certificate', id: Number(certificate[1]) };
  const csr = /^\/certificates\/csr\/(\d+)$/.exec(path);
  if (csr) return { name: 'csr', id: Number(csr[1]) };
  const session = /^\/sessions\/(\d+)$/.exec(path);
  if (session) return { name: 'session', id: Number(session[1]) };
  const compare = /^\/compare\/(\d+)\/(\d+)$/.exec(path);
  if (compare) return { name: 'compare', a: Number(compare[1]), b: Number(compare[2]) };
  return { name: 'not-found', path };
}

export function routeHash(route: Route): string {
  switch (route.name) {
    case 'start':
      return '#/start';
    case 'new-client':
      return '#/new';
    case 'sessions':
      return '#/sessions';
    case 'session':
      return `#/sessions/${route.id}`;
    case 'compare':
      return `#/compare/${route.a}/${route.b}`;
    case 'hosts':
      return '#/hosts';
    case 'certificates':
      return '#/certificates';
    case 'certificate':
      return `#/certificates/${route.id}`;
    case 'csr':
      return `#/certificates/csr/${route.id}`;
    case 'servers':
      return '#/servers';
    case 'proxy':
      return '#/proxy';
    case 'about':
      return '#/about';
    case 'not-found':
      return `#${route.path}`;
  }
}
