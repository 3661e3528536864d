// Hash routes, so that a reload keeps the view: #/new, #/sessions, #/sessions/12, #/hosts, #/about.

export type Route =
  | { name: 'new-client' }
  | { name: 'sessions' }
  | { name: 'session'; id: number }
  | { name: 'hosts' }
  | { name: 'about' }
  | { name: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/[?].*$/, '').replace(/\/+$/, '');
  if (path === '' || path === '/new') return { name: 'new-client' };
  if (path === '/sessions') return { name: 'sessions' };
  if (path === '/hosts') return { name: 'hosts' };
  if (path === '/about') return { name: 'about' };
  const session = /^\/sessions\/(\d+)$/.exec(path);
  if (session) return { name: 'session', id: Number(session[1]) };
  return { name: 'not-found', path };
}

export function routeHash(route: Route): string {
  switch (route.name) {
    case 'new-client':
      return '#/new';
    case 'sessions':
      return '#/sessions';
    case 'session':
      return `#/sessions/${route.id}`;
    case 'hosts':
      return '#/hosts';
    case 'about':
      return '#/about';
    case 'not-found':
      return `#${route.path}`;
  }
}
