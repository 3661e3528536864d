// Hash routes, so that a reload keeps the view: #/start, #/start/teacher, #/new, #/sessions,
// #/sessions?tag=lab-1, #/sessions/12, #/hosts, #/compare/12/14, #/certificates, #/certificates/3,
// #/certificates/csr/2, #/servers, #/proxy, #/about.

export type Route =
  /** The student's first hour, or with `teacher` the teacher's path: preparing a lab to hand out. */
  | { name: 'start'; teacher?: true }
  | { name: 'new-client' }
  /** With `tag`, the list opens filtered by it (a link to one lab's sessions). */
  | { name: 'sessions'; tag?: string }
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
  if (path === '/start/teacher') return { name: 'start', teacher: true };
  if (path === '/sessions') {
    const tag = new URLSearchParams(/[?](.*)$/.exec(hash)?.[1] ?? '').get('tag')?.trim();
    return tag ? { name: 'sessions', tag } : { name: 'sessions' };
  }
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
      return route.teacher ? '#/start/teacher' : '#/start';
    case 'new-client':
      return '#/new';
    case 'sessions':
      return route.tag ? `#/sessions?tag=${encodeURIComponent(route.tag)}` : '#/sessions';
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
